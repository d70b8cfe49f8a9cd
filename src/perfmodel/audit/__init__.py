"""The audit layer: run manifests, their verification, the ledger and the published-output checks."""

from perfmodel._compat import former_module  # noqa: E402

__getattr__ = former_module("perfmodel.audit", "perfmodel.audit.manifest", "perfmodel.audit.verify",
                            "perfmodel.audit.runs")
