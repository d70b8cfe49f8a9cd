"""perfmodel: measure, score and audit the performance of after-sales service supervisors."""
from __future__ import annotations

__version__ = "0.1.0"

from .dataset import Dataset  # noqa: E402
from .errors import PerfmodelError  # noqa: E402
from .loader import dataset_from_frames, load_dataset  # noqa: E402
from .policy import load_policy  # noqa: E402
from .scoring import score  # noqa: E402

__all__ = ["Dataset", "PerfmodelError", "dataset_from_frames", "load_dataset", "load_policy", "score",
           "__version__"]
