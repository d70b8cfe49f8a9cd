"""The scoring layer: policies and presets, scores, agreed goals, quotas, adjustments, policy diffs."""

from perfmodel._compat import former_module  # noqa: E402

__getattr__ = former_module("perfmodel.scoring", "perfmodel.scoring.scores")
