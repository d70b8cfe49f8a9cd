"""Where things are: the repository root, the notebooks, paths given relative to either."""
from __future__ import annotations

from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # src/perfmodel/reporting -> repository


def repo_root() -> Path:
    """Return the repository root (the folder holding ``notebooks/`` and ``data/``).

    The package is installed editable from ``src/``; when it is not (a wheel), the
    current folder or the nearest parent that has a ``notebooks`` folder is used.

    Returns
    -------
    pathlib.Path
        Absolute.

    Examples
    --------
    >>> root = repo_root()
    >>> root.is_absolute(), (root / "notebooks").is_dir(), (root / "data" / "sample").is_dir()
    (True, True, True)
    """
    if (_PACKAGE_ROOT / "notebooks").is_dir():
        return _PACKAGE_ROOT
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir():
            return folder
    return here


def notebooks_dir() -> Path:
    """Return the folder of the report notebooks.

    Returns
    -------
    pathlib.Path
        ``<repository root>/notebooks``.

    Examples
    --------
    >>> sorted(p.name for p in notebooks_dir().glob("*.ipynb"))  # doctest: +NORMALIZE_WHITESPACE
    ['policy_audit.ipynb', 'quarterly_report.ipynb', 'supervisor_feedback.ipynb',
     'validity_study.ipynb', 'weight_calibration.ipynb']
    """
    return repo_root() / "notebooks"


def resolve_path(path, must_exist: bool = True) -> Path:
    """Resolve a path given relative to the current folder or to the repository root.

    Notebooks run with their own folder (``notebooks/``) as the working directory in
    JupyterLab but with the repository root under ``perfmodel report``; default
    parameters such as ``data/sample`` work in both.

    Returns
    -------
    pathlib.Path
        Absolute. The first candidate that exists among: the path itself (relative to the
        current folder), the current folder's parents, the repository root. When none
        exists the path relative to the current folder is returned (unless
        ``must_exist``, in which case that is also returned: callers report it).

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> here = os.getcwd()
    >>> os.chdir(tempfile.mkdtemp())  # a folder without data/: the repository root's is found
    >>> resolve_path("data/sample") == repo_root() / "data" / "sample"
    True
    >>> resolve_path("nowhere/x.csv") == Path.cwd().resolve() / "nowhere" / "x.csv"
    True
    >>> os.chdir(here)
    """
    p = Path(str(path)).expanduser()
    if p.is_absolute():
        return p
    here = Path.cwd().resolve()
    for base in (here, *list(here.parents)[:3], repo_root()):
        candidate = (base / p).resolve()
        if candidate.exists():
            return candidate
    return (here / p).resolve()
