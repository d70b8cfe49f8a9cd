"""What a run hands to its pages: the pipeline's outputs, never the raw tables.

The report runner computes everything from the raw data once (:mod:`perfmodel.pipeline`)
and writes its outputs into the run's private cache with :func:`save_results`; the
notebook kernel reads them back with :func:`load_results`. Neither the kernel nor the
cache holds the raw tables: a page shows the indicator panel, the scores computed from it,
the quarantine and the row account, the supervisors' names and, for a page made while a
period is in progress, the mid-period results the runner computed.

Files of a results folder (all written by :func:`save_results`):

- ``panel.parquet`` — the long indicator panel (columns of
  :func:`perfmodel.indicators.compute_indicators`);
- ``quarantine.parquet``, ``account.parquet``, ``supervisors.parquet`` — see :class:`DataSummary`;
- ``results.json`` — the names of the tables the data holds;
- ``mid_period.pkl`` — only for a page made as of an instant (see :func:`save_results`);
- ``goals.parquet`` — only when the data hold agreed goals (without their free-text notes).
"""
from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfmodel.data.dataset import ACCOUNT_COLUMNS, QUARANTINE_COLUMNS

__all__ = ["DataSummary", "RESULT_FILES", "load_results", "save_results", "summarize"]

#: The files every results folder holds.
RESULT_FILES = ("panel.parquet", "quarantine.parquet", "account.parquet", "supervisors.parquet", "results.json")
MID_PERIOD_FILE = "mid_period.pkl"
GOALS_FILE = "goals.parquet"


@dataclass(frozen=True)
class DataSummary:
    """What the pages need to know of the data besides the indicators.

    Attributes
    ----------
    tables : tuple of str
        Names of the tables the data holds (the SMART check's M needs them).
    quarantine : pandas.DataFrame
        The quarantined rows (:data:`perfmodel.data.dataset.QUARANTINE_COLUMNS`).
    account : pandas.DataFrame
        Rows read, used and quarantined per table and file (:data:`perfmodel.data.dataset.ACCOUNT_COLUMNS`).
    supervisors : pandas.DataFrame
        ``supervisor_id``, ``name``, ``team``, ``region``.
    goals : pandas.DataFrame or None
        The agreed goals (:func:`perfmodel.scoring.goals.goals_table`, without ``note``), None when
        the data hold none.
    """

    tables: tuple
    quarantine: pd.DataFrame
    account: pd.DataFrame
    supervisors: pd.DataFrame
    goals: pd.DataFrame | None = None


def summarize(dataset) -> DataSummary:
    """The :class:`DataSummary` of a loaded dataset (its frames are shared, not copied).

    Returns
    -------
    DataSummary

    Examples
    --------
    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S9"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-11"]})})
    >>> summary = summarize(ds)
    >>> summary.tables, len(summary.quarantine), summary.goals is None
    (('supervisors', 'tickets'), 1, True)
    >>> summary.supervisors
      supervisor_id name team region
    0            S1   王芳  NaN    NaN
    """
    from perfmodel.pipeline import supervisor_names

    quarantine = getattr(dataset, "quarantine", None)
    account = getattr(dataset, "account", None)
    present = set(dataset.tables)  # a folder checked in the engine keeps only its small tables:
    if account is not None and "table" in account.columns:  # the account names every table read
        present |= set(account["table"].astype(str))
    return DataSummary(
        tables=tuple(sorted(present)),
        quarantine=quarantine if quarantine is not None else pd.DataFrame(columns=QUARANTINE_COLUMNS),
        account=account if account is not None else pd.DataFrame(columns=ACCOUNT_COLUMNS),
        supervisors=supervisor_names(dataset), goals=_goals(dataset))


def _goals(dataset):
    from perfmodel.scoring.goals import goals_table

    goals = goals_table(dataset)
    return None if goals is None else goals.drop(columns="note")


def save_results(folder, summary: DataSummary, panel: pd.DataFrame, *, mid_period: dict | None = None) -> Path:
    """Write a run's outputs for its pages into ``folder`` (created, mode 0700, must not exist).

    Parameters
    ----------
    summary : DataSummary
        Of the dataset the pages show (pseudonymized when the pages are).
    panel : pandas.DataFrame
        The long indicator panel.
    mid_period : dict, optional
        For a page made as of an instant: ``as_of`` (Timestamp), ``watch`` (the
        :class:`~perfmodel.analysis.watch.WatchResult` of the period in progress), ``values`` and
        ``table`` (:func:`perfmodel.analysis.provisional.period_values` and
        :func:`~perfmodel.analysis.provisional.period_scores` of the report period).

    Returns
    -------
    pathlib.Path
        ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_dataset
    >>> from perfmodel.indicators.demo import demo_long
    >>> folder = save_results(Path(tempfile.mkdtemp()) / "results", summarize(demo_dataset()), demo_long())
    >>> sorted(p.name for p in folder.iterdir()), oct(folder.stat().st_mode & 0o777)
    (['account.parquet', 'panel.parquet', 'quarantine.parquet', 'results.json', 'supervisors.parquet'], '0o700')
    """
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=False, exist_ok=False)
    panel.to_parquet(folder / "panel.parquet", index=False)
    _text_frame(summary.quarantine, QUARANTINE_COLUMNS).to_parquet(folder / "quarantine.parquet", index=False)
    summary.account.reset_index(drop=True).to_parquet(folder / "account.parquet", index=False)
    summary.supervisors.reset_index(drop=True).to_parquet(folder / "supervisors.parquet", index=False)
    (folder / "results.json").write_text(json.dumps({"tables": list(summary.tables)}, ensure_ascii=False),
                                         encoding="utf-8")
    if getattr(summary, "goals", None) is not None:
        summary.goals.to_parquet(folder / GOALS_FILE, index=False)
    if mid_period is not None:
        with open(folder / MID_PERIOD_FILE, "wb") as fh:
            pickle.dump(mid_period, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return folder


def has_results(folder) -> bool:
    """Whether ``folder`` holds every file of :data:`RESULT_FILES`.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> has_results(folder), has_results(None)
    (False, False)
    >>> for name in RESULT_FILES:
    ...     _ = (folder / name).write_bytes(b"")
    >>> has_results(folder)
    True
    """
    return folder is not None and all((Path(folder) / name).is_file() for name in RESULT_FILES)


def missing_result(folder) -> str:
    """The first file of :data:`RESULT_FILES` missing from ``folder`` ("" when none is).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> missing_result(folder)
    'panel.parquet'
    >>> _ = (folder / "panel.parquet").write_bytes(b"")
    >>> missing_result(folder)
    'quarantine.parquet'
    """
    for name in RESULT_FILES:
        if folder is None or not (Path(folder) / name).is_file():
            return name
    return ""


def load_results(folder) -> tuple[DataSummary, pd.DataFrame, dict | None]:
    """Read what :func:`save_results` wrote.

    Returns
    -------
    (DataSummary, pandas.DataFrame, dict or None)
        The summary, the long panel, and the mid-period results (None when the run had no
        as-of instant).

    Examples
    --------
    What :func:`save_results` wrote comes back as it was:

    >>> import tempfile
    >>> from perfmodel.data.demo import demo_dataset
    >>> from perfmodel.indicators.demo import demo_long
    >>> folder = save_results(Path(tempfile.mkdtemp()) / "results", summarize(demo_dataset()), demo_long())
    >>> summary, loaded, mid_period = load_results(folder)
    >>> loaded.equals(demo_long()), mid_period
    (True, None)
    >>> loaded.loc[1, ["supervisor_id", "indicator", "value"]].to_dict()
    {'supervisor_id': 'S2', 'indicator': 'csat', 'value': 4.05}
    >>> summary.tables, summary.supervisors["name"].tolist()
    (('supervisors', 'tickets'), ['王芳', '李娜', '张伟'])
    """
    folder = Path(folder)
    meta = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    supervisors = pd.read_parquet(folder / "supervisors.parquet")
    for col in supervisors.columns:  # text as the loader types it (perfmodel.data.dataset)
        if supervisors[col].dtype == object:
            supervisors[col] = supervisors[col].astype(pd.StringDtype("pyarrow", na_value=float("nan")))
    summary = DataSummary(tables=tuple(meta["tables"]),
                          quarantine=pd.read_parquet(folder / "quarantine.parquet"),
                          account=pd.read_parquet(folder / "account.parquet"),
                          supervisors=supervisors,
                          goals=pd.read_parquet(folder / GOALS_FILE) if (folder / GOALS_FILE).is_file() else None)
    mid = None
    if (folder / MID_PERIOD_FILE).is_file():
        with open(folder / MID_PERIOD_FILE, "rb") as fh:
            mid = pickle.load(fh)
    return summary, pd.read_parquet(folder / "panel.parquet"), mid


def _text_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # the quarantine's cells are text or row numbers of mixed types; Parquet needs one type a column
    out = frame.reset_index(drop=True).copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    for col in columns:
        if col not in out:
            out[col] = None
    return out
