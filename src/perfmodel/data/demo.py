"""Small made-up tables for the docstring Examples, in the manner of seaborn's ``load_dataset``.

Every function returns new objects built from the same literals: the same call gives the same
tables, and an Example may change what it gets without touching another Example's data.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["demo_adjustments", "demo_company", "demo_dataset", "demo_folder", "demo_frames", "demo_history",
           "demo_supervisors", "demo_tickets", "demo_training"]

# Three supervisors of one team; the figures of the Examples depend on these ids.
_SUPERVISORS = {"supervisor_id": ["S1", "S2", "S3"], "name": ["王芳", "李娜", "张伟"],
                "team": "East", "region": "East"}

# Two supervisors and five tickets, the last one of a supervisor the table does not know.
_FOLDER = {
    "supervisors.csv": "supervisor_id,name,team\nS1,王芳,华东\nS2,李强,华北\n",
    "tickets.csv": ("ticket_id,supervisor_id,created_at,resolved_at,is_complaint\n"
                    "T1,S1,2026-07-02 09:00,2026-07-03 10:00,true\n"
                    "T2,S1,2026-08-10 14:00,,true\n"
                    "T3,S2,2026-09-01 08:30,2026-09-01 12:00,false\n"
                    "T4,S2,2026-09-15 10:00,2026-09-20 10:00,true\n"
                    "T5,S9,2026-09-16 10:00,,false\n"),
}


def demo_supervisors() -> pd.DataFrame:
    """Three made-up supervisors of one team.

    Returns
    -------
    pandas.DataFrame
        supervisor_id (S1, S2, S3), name (王芳, 李娜, 张伟), team and region (both ``East``).

    Examples
    --------
    >>> demo_supervisors()
      supervisor_id name  team region
    0            S1   王芳  East   East
    1            S2   李娜  East   East
    2            S3   张伟  East   East
    """
    return pd.DataFrame(_SUPERVISORS)


def demo_frames(*, goals: bool = False) -> dict[str, pd.DataFrame]:
    """The raw tables of a tiny dataset: the three supervisors of :func:`demo_supervisors` and one ticket.

    Parameters
    ----------
    goals : bool
        Add a ``goals`` table: S1 agreed a csat target of 4.5 and S2 one of 4.0 and 12
        tickets per staff-day for 2026Q3 (agreed on 2026-06-20); S3 agreed none.

    Returns
    -------
    dict[str, pandas.DataFrame]
        ``supervisors`` (as :func:`demo_supervisors`), ``tickets`` (ticket_id, supervisor_id,
        created_at: T1 of S1, created 2026-07-02 09:00) and, with ``goals``, ``goals``
        (supervisor_id, period, indicator, target, agreed_on); dates are text, as a CSV
        file gives them.

    Examples
    --------
    >>> frames = demo_frames(goals=True)
    >>> sorted(frames)
    ['goals', 'supervisors', 'tickets']
    >>> frames["goals"]
      supervisor_id  period              indicator  target   agreed_on
    0            S1  2026Q3                   csat     4.5  2026-06-20
    1            S2  2026Q3                   csat     4.0  2026-06-20
    2            S2  2026Q3  tickets_per_staff_day    12.0  2026-06-20
    """
    frames = {"supervisors": demo_supervisors(),
              "tickets": pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["S1"],
                                       "created_at": ["2026-07-02 09:00"]})}
    if goals:
        frames["goals"] = pd.DataFrame({"supervisor_id": ["S1", "S2", "S2"], "period": "2026Q3",
                                        "indicator": ["csat", "csat", "tickets_per_staff_day"],
                                        "target": [4.5, 4.0, 12.0], "agreed_on": "2026-06-20"})
    return frames


def demo_dataset(*, goals: bool = False):
    """The tables of :func:`demo_frames`, validated as :func:`perfmodel.load_dataset` validates files.

    Returns
    -------
    Dataset
        As :func:`perfmodel.data.loader.dataset_from_frames` returns it: every row is used,
        none quarantined.

    Examples
    --------
    >>> ds = demo_dataset()
    >>> ds.account[["table", "rows_read", "rows_used", "rows_quarantined"]]
             table  rows_read  rows_used  rows_quarantined
    0  supervisors          3          3                 0
    1      tickets          1          1                 0
    """
    from perfmodel.data.loader import dataset_from_frames

    return dataset_from_frames(demo_frames(goals=goals))


def demo_folder(folder) -> Path:
    """Write a dataset folder of two CSV files: two supervisors and five tickets, one of them bad.

    ``supervisors.csv`` holds S1 (王芳, team 华东) and S2 (李强, 华北). ``tickets.csv`` holds
    (ticket_id, supervisor_id, created_at, resolved_at, is_complaint):

    ====  ====  ================  ================  =====
    T1    S1    2026-07-02 09:00  2026-07-03 10:00  true
    T2    S1    2026-08-10 14:00                    true
    T3    S2    2026-09-01 08:30  2026-09-01 12:00  false
    T4    S2    2026-09-15 10:00  2026-09-20 10:00  true
    T5    S9    2026-09-16 10:00                    false
    ====  ====  ================  ================  =====

    T5 names a supervisor the table does not know: loading quarantines it.

    Parameters
    ----------
    folder : path
        An existing folder; the two files are written into it (UTF-8), replacing files of
        the same names.

    Returns
    -------
    pathlib.Path
        ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> folder = demo_folder(tempfile.mkdtemp())
    >>> sorted(p.name for p in folder.iterdir())
    ['supervisors.csv', 'tickets.csv']
    >>> (folder / "tickets.csv").read_text(encoding="utf-8").splitlines()[-1]
    'T5,S9,2026-09-16 10:00,,false'
    """
    folder = Path(folder)
    for name, content in _FOLDER.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def demo_tickets() -> pd.DataFrame:
    """Three tickets of S1 in September 2026, typed as the loader types them.

    T1, a complaint, is created 2026-09-02 09:00, answered after 2 hours and resolved 24 hours
    later, before its due date (09-04), at a cost of 120. T2 is created 09-10 14:00, answered
    after 1 hour, resolved 09-12 14:00, after its due date (09-11), reopened once, cost 80.
    T3, a complaint, is created 09-30 17:00 and neither answered nor resolved, no due date
    and no cost.

    Returns
    -------
    pandas.DataFrame
        ticket_id, supervisor_id, created_at, first_response_at, resolved_at, due_at
        (datetime64), is_complaint (boolean), reopened, cost (float).

    Examples
    --------
    >>> tickets = demo_tickets()
    >>> (tickets["resolved_at"] - tickets["created_at"]).dt.total_seconds().div(3600).tolist()
    [24.0, 48.0, nan]
    >>> (tickets["resolved_at"] <= tickets["due_at"]).tolist()
    [True, False, False]
    """
    return pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1"] * 3,
        "created_at": pd.to_datetime(["2026-09-02 09:00", "2026-09-10 14:00", "2026-09-30 17:00"]),
        "first_response_at": pd.to_datetime(["2026-09-02 11:00", "2026-09-10 15:00", None]),
        "resolved_at": pd.to_datetime(["2026-09-03 09:00", "2026-09-12 14:00", None]),
        "due_at": pd.to_datetime(["2026-09-04", "2026-09-11", None]),
        "is_complaint": pd.array([True, False, True], dtype="boolean"),
        "reopened": [0.0, 1.0, 0.0], "cost": [120.0, 80.0, None]})


def demo_training() -> dict[str, pd.DataFrame]:
    """Three staff members of S1 and their training due in September 2026, typed.

    E1 (hired 2025-01-01) finished course K1 on 09-08, due 09-10, scores 60 -> 75. E2 (hired
    2026-09-16) has K1 due 09-30, not finished. E3 (hired 2024-03-01) finished K2 on 09-20,
    five days after its due date (09-15), scores 70 -> 90.

    Returns
    -------
    dict[str, pandas.DataFrame]
        ``staff`` (staff_id, supervisor_id, hired_on) and ``training`` (staff_id, course_id,
        due_on, completed_on, pre_score, post_score).

    Examples
    --------
    >>> training = demo_training()["training"]
    >>> (training["post_score"] - training["pre_score"]).tolist()
    [15.0, nan, 20.0]
    """
    return {"staff": pd.DataFrame({
                "staff_id": ["E1", "E2", "E3"], "supervisor_id": ["S1"] * 3,
                "hired_on": pd.to_datetime(["2025-01-01", "2026-09-16", "2024-03-01"])}),
            "training": pd.DataFrame({
                "staff_id": ["E1", "E2", "E3"], "course_id": ["K1", "K1", "K2"],
                "due_on": pd.to_datetime(["2026-09-10", "2026-09-30", "2026-09-15"]),
                "completed_on": pd.to_datetime(["2026-09-08", None, "2026-09-20"]),
                "pre_score": [60.0, None, 70.0], "post_score": [75.0, None, 90.0]})}


def demo_adjustments(folder, supervisor_id: str = "S4", from_rating: str = "B", to_rating: str = "A") -> Path:
    """Write the review meeting's ``adjustments.csv`` of one decision for 2026Q3.

    The row moves ``supervisor_id`` from ``from_rating`` to ``to_rating`` for a customer's
    praise (客户表扬), approved by 张经理 on 2026-10-12 (UTF-8).

    Returns
    -------
    pathlib.Path
        ``<folder>/adjustments.csv``.

    Examples
    --------
    >>> import tempfile
    >>> path = demo_adjustments(tempfile.mkdtemp(), "S2", "C", "B")
    >>> print(path.read_text(encoding="utf-8"), end="")
    supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on
    S2,2026Q3,C,B,客户表扬,张经理,2026-10-12
    """
    path = Path(folder) / "adjustments.csv"
    path.write_text("supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\n"
                    f"{supervisor_id},2026Q3,{from_rating},{to_rating},客户表扬,张经理,2026-10-12\n",
                    encoding="utf-8")
    return path


def demo_company(folder) -> Path:
    """Write a small synthetic company into ``folder``: three supervisors, 2025Q1 and 2025Q2, 60 tickets.

    The tables of :func:`perfmodel.data.synth.generate` with its default seed (the same
    bytes on every call), small enough for an Example that runs the command line.

    Returns
    -------
    pathlib.Path
        ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.loader import load_dataset
    >>> ds = load_dataset(demo_company(tempfile.mkdtemp()))
    >>> ds.tables["supervisors"]["supervisor_id"].tolist(), len(ds.tables["tickets"])
    (['S001', 'S002', 'S003'], 60)
    """
    from perfmodel.data.synth import generate

    generate(folder, supervisors=3, start="2025Q1", end="2025Q2", tickets=60)
    return Path(folder)


def demo_history(folder, *, end: str = "2026Q3") -> Path:
    """Write a synthetic company with a year of history into ``folder``: four supervisors from 2025Q3.

    The tables of :func:`perfmodel.data.synth.generate` with seed 1 and 1,000 tickets from
    2025Q3 to ``end``: enough past quarters for the mid-period projections of
    :mod:`perfmodel.analysis.watch`.

    Returns
    -------
    pathlib.Path
        ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.loader import load_dataset
    >>> ds = load_dataset(demo_history(tempfile.mkdtemp(), end="2026Q2"))
    >>> len(ds.tables["supervisors"]), len(ds.tables["tickets"])
    (4, 1000)
    """
    from perfmodel.data.synth import generate

    generate(folder, seed=1, supervisors=4, start="2025Q3", end=end, tickets=1000)
    return Path(folder)
