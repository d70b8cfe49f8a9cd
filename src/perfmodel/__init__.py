"""perfmodel: measure, score and audit the performance of after-sales service supervisors."""
from __future__ import annotations

__version__ = "0.1.0"

from perfmodel import _compat  # noqa: E402

_compat.install()

from perfmodel.data.dataset import Dataset  # noqa: E402
from perfmodel.core.errors import PerfmodelError  # noqa: E402
from perfmodel.data.loader import dataset_from_frames, load_dataset  # noqa: E402
from perfmodel.scoring.policy import load_policy  # noqa: E402
from perfmodel.scoring.scores import score  # noqa: E402

__all__ = ["Dataset", "PerfmodelError", "compute_indicators", "dataset_from_frames", "load_dataset",
           "load_policy", "score", "wide_panel", "__version__"]


def __getattr__(name):
    # The indicator engine imports Ibis; load it only when it is used.
    if name in ("stats", "weights", "sensitivity", "profiling"):  # SPEC §5 module names
        import importlib

        return importlib.import_module(f"perfmodel.{name}")
    if name in ("compute_indicators", "wide_panel"):
        from perfmodel import indicators
        return getattr(indicators, name)
    raise AttributeError(f"module 'perfmodel' has no attribute {name!r}")
