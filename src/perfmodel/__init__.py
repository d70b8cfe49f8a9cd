"""perfmodel: measure, score and audit the performance of after-sales service supervisors."""
from __future__ import annotations

__version__ = "0.1.0"

from .dataset import Dataset  # noqa: E402
from .errors import PerfmodelError  # noqa: E402
from .loader import dataset_from_frames, load_dataset  # noqa: E402
from .policy import load_policy  # noqa: E402
from .scoring import score  # noqa: E402

__all__ = ["Dataset", "PerfmodelError", "compute_indicators", "dataset_from_frames", "load_dataset",
           "load_policy", "score", "wide_panel", "__version__"]


def __getattr__(name):
    # The indicator engine imports Ibis; load it only when it is used.
    if name in ("compute_indicators", "wide_panel"):
        from . import indicators
        return getattr(indicators, name)
    raise AttributeError(f"module 'perfmodel' has no attribute {name!r}")
