"""The history of a reports folder: its runs and the rating adjustments they applied.

:func:`list_runs` and :func:`latest_run` read the run folders' manifests
(:mod:`perfmodel.audit.manifest`); :func:`list_adjustments` gathers the adjustments files
the runs kept. ``perfmodel audit list`` and ``perfmodel audit adjustments`` print them.
"""
from __future__ import annotations

import io
import json
import tempfile  # noqa: F401 - the Examples use it
from pathlib import Path

import pandas as pd

from perfmodel.core.errors import PerfmodelError
from perfmodel.core.hashing import sha256_file
from perfmodel.audit.manifest import ADJUSTMENTS_FILE, FAILED, MANIFEST


def list_runs(reports_dir="reports") -> pd.DataFrame:
    """List the runs under a reports folder, oldest first within each period.

    Returns
    -------
    pandas.DataFrame
        Columns ``period``, ``run_id``, ``status`` (complete, failed, or incomplete when
        there is no manifest, unreadable when it cannot be read), ``notebook``, ``lang``,
        ``data_dir`` (the data source the run read), ``synthetic`` (True when that folder
        was written by ``perfmodel synth``), ``policy_name``, ``policy_version``,
        ``created_at``, ``path``; what a run's manifest does not record is None.

    Examples
    --------
    >>> reports = Path(tempfile.mkdtemp())
    >>> for run_id, notebook in [("20260930T080000Z-a1", "quarterly"), ("20261001T090000Z-c3", "calibration")]:
    ...     (reports / "2026Q3" / run_id).mkdir(parents=True)
    ...     _ = (reports / "2026Q3" / run_id / MANIFEST).write_text(json.dumps(
    ...         {"status": "complete", "parameters": {"notebook": notebook, "lang": "zh"},
    ...          "policy": {"name": "efficiency", "version": "2026.1"}}), encoding="utf-8")
    >>> (reports / "2026Q3" / "20261002T070000Z-d4").mkdir()
    >>> list_runs(reports)[["period", "run_id", "status", "notebook", "lang"]]
       period               run_id      status     notebook  lang
    0  2026Q3  20260930T080000Z-a1    complete    quarterly    zh
    1  2026Q3  20261001T090000Z-c3    complete  calibration    zh
    2  2026Q3  20261002T070000Z-d4  incomplete         None  None
    """
    cols = ["period", "run_id", "status", "notebook", "lang", "data_dir", "synthetic", "policy_name",
            "policy_version", "created_at", "path"]
    root = Path(reports_dir)
    rows = []
    if root.is_dir():
        for period_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for run in sorted(p for p in period_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
                row = dict.fromkeys(cols)
                row.update(period=period_dir.name, run_id=run.name, status="incomplete", path=str(run))
                mpath = run / MANIFEST
                if mpath.is_file():
                    row.update(_listed(mpath))
                elif (run / FAILED).exists():
                    row["status"] = "failed"
                rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def _listed(path: Path) -> dict:
    """What :func:`list_runs` shows of one manifest (``status`` unreadable when it cannot be read)."""
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {"status": "unreadable"}
    if not isinstance(m, dict):
        return {"status": "unreadable"}

    def text(value):
        return value if isinstance(value, str) else None

    params = m.get("parameters") if isinstance(m.get("parameters"), dict) else {}
    policy = m.get("policy") if isinstance(m.get("policy"), dict) else {}
    return {"status": text(m.get("status")) or "unreadable", "notebook": text(params.get("notebook")),
            "lang": text(params.get("lang")), "data_dir": text(m.get("data_dir")),
            "policy_name": text(policy.get("name")), "policy_version": text(policy.get("version")),
            "created_at": text(m.get("created_at")), "synthetic": params.get("synthetic") is True}


def latest_run(reports_dir, period: str | None, notebook: str | None = "quarterly") -> Path | None:
    """Return the latest complete run of ``period`` made with ``notebook``.

    ``period`` None looks at every period, ``notebook`` None at every notebook.

    The published report of a period is its latest complete ``quarterly`` run; a
    calibration, validity or audit run of the same period is not.

    Returns
    -------
    pathlib.Path or None
        The run folder, or None when there is no such run.

    Examples
    --------
    The latest complete quarterly run is the published one; a later calibration run is not:

    >>> reports = Path(tempfile.mkdtemp())
    >>> for run_id, notebook in [("20260930T080000Z-a1", "quarterly"), ("20261001T080000Z-b2", "quarterly"),
    ...                          ("20261001T090000Z-c3", "calibration")]:
    ...     (reports / "2026Q3" / run_id).mkdir(parents=True)
    ...     _ = (reports / "2026Q3" / run_id / MANIFEST).write_text(json.dumps(
    ...         {"status": "complete", "parameters": {"notebook": notebook}}), encoding="utf-8")
    >>> latest_run(reports, "2026Q3").name, latest_run(reports, "2026Q3", "calibration").name
    ('20261001T080000Z-b2', '20261001T090000Z-c3')
    >>> latest_run(reports, "2026Q2") is None
    True
    """
    runs = list_runs(reports_dir)
    runs = runs[runs["status"] == "complete"]
    if period is not None:
        runs = runs[runs["period"] == period]
    if notebook is not None:
        runs = runs[runs["notebook"] == notebook]
    runs = runs.sort_values("run_id", kind="mergesort")  # run ids begin with their UTC start time
    return Path(runs["path"].iloc[-1]) if len(runs) else None


def format_runs(runs: pd.DataFrame) -> str:
    """Render :func:`list_runs` as a plain text table, one block per period.

    Each run is one line: run id, status, notebook, language, policy (name and version),
    creation time and the data source it read (marked ``(synthetic sample)`` when it was
    written by ``perfmodel synth``).

    Examples
    --------
    >>> reports = Path(tempfile.mkdtemp())
    >>> (reports / "2026Q3" / "20260930T080000Z-a1").mkdir(parents=True)
    >>> _ = (reports / "2026Q3" / "20260930T080000Z-a1" / MANIFEST).write_text(json.dumps(
    ...     {"status": "complete", "data_dir": "/srv/data", "created_at": "2026-09-30T08:00:00Z",
    ...      "parameters": {"notebook": "quarterly", "lang": "zh"},
    ...      "policy": {"name": "efficiency", "version": "2026.1"}}), encoding="utf-8")
    >>> (reports / "2026Q3" / "20261002T070000Z-d4").mkdir()
    >>> print(format_runs(list_runs(reports)))
    2026Q3
      20260930T080000Z-a1  complete    quarterly    zh  efficiency 2026.1                   2026-09-30T08:00:00Z  data: /srv/data
      20261002T070000Z-d4  incomplete  -            -   ?                                   -                     data: -
    >>> format_runs(list_runs(Path(tempfile.mkdtemp())))
    'no runs'
    """
    def line(r) -> str:
        pol = f"{r.policy_name or '?'} {r.policy_version or ''}".strip()
        return (f"  {r.run_id}  {r.status:<10}  {r.notebook or '-':<11}  {r.lang or '-':<2}  {pol:<34}  "
                f"{r.created_at or '-':<20}  data: {r.data_dir or '-'}"
                f"{' (synthetic sample)' if r.synthetic is True else ''}")
    return _blocks(runs, "period", line, empty="no runs")


def _blocks(table: pd.DataFrame, by: str, line, *, empty: str) -> str:
    """Text with one block per value of ``by`` (the value, then ``line(row)`` per row); ``empty`` when none."""
    if table.empty:
        return empty
    buf = io.StringIO()
    for key, group in table.groupby(by, sort=True):
        buf.write(f"{key}\n")
        for r in group.itertuples(index=False):
            buf.write(line(r) + "\n")
    return buf.getvalue().rstrip("\n")


# --------------------------------------------------------------------------- adjustments

ADJUSTMENT_LIST_COLUMNS = ["supervisor_id", "period", "from_rating", "to_rating", "reason", "approved_by",
                           "approved_on", "report", "notebook", "run_id", "status"]


def list_adjustments(reports_dir="reports") -> pd.DataFrame:
    """Every adjustment made in the runs of a reports folder, per supervisor.

    A run made with ``--adjustments`` keeps the file it applied (``adjustments.csv``) and
    its sha256 in the manifest; the rows of that copy whose period the run scored are
    listed (a row of a later period was not applied by an earlier report).

    Returns
    -------
    pandas.DataFrame
        :data:`ADJUSTMENT_LIST_COLUMNS`: the adjustment (``supervisor_id``, ``period``,
        ``from_rating``, ``to_rating``, ``reason``, ``approved_by``, ``approved_on``) and the
        run that applied it (``report``: its folder ``<period>/<run_id>``, ``notebook``,
        ``run_id``, ``status``: ``complete``, ``failed``, or ``changed`` when the copy no
        longer matches the sha256 its manifest records); sorted by supervisor, period,
        report.

    Examples
    --------
    The 2026Q3 run applied the S002 adjustment; the S003 row of 2026Q4 was not applied by it:

    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "20261001T090000Z-c3"
    >>> run.mkdir(parents=True)
    >>> _ = (run / ADJUSTMENTS_FILE).write_text(
    ...     "supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\\n"
    ...     "S002,2026Q3,B,A,重大客户投诉妥善处理,张总,2026-10-08\\n"
    ...     "S003,2026Q4,C,B,later,张总,2027-01-08\\n", encoding="utf-8")
    >>> _ = (run / MANIFEST).write_text(json.dumps(
    ...     {"status": "complete", "parameters": {"notebook": "calibration"},
    ...      "adjustments": {"sha256": sha256_file(run / ADJUSTMENTS_FILE)}}), encoding="utf-8")
    >>> listed = list_adjustments(run.parent.parent)
    >>> listed[["supervisor_id", "period", "from_rating", "to_rating", "status"]]
      supervisor_id  period from_rating to_rating    status
    0          S002  2026Q3           B         A  complete
    >>> _ = (run / ADJUSTMENTS_FILE).write_text(
    ...     "supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\\n"
    ...     "S002,2026Q3,B,S,edited later,张总,2026-10-08\\n", encoding="utf-8")
    >>> list_adjustments(run.parent.parent)[["supervisor_id", "to_rating", "status"]]
      supervisor_id to_rating   status
    0          S002         S  changed
    """
    from perfmodel.scoring.adjustments import read_adjustments
    from perfmodel.core.periods import parse_period

    rows = []
    runs = list_runs(reports_dir)
    for run in runs.itertuples(index=False):
        copy = Path(run.path) / ADJUSTMENTS_FILE
        if not copy.is_file():
            continue
        try:
            manifest = json.loads((Path(run.path) / MANIFEST).read_text(encoding="utf-8"))
            recorded = (manifest.get("adjustments") or {}).get("sha256")
        except (OSError, ValueError, AttributeError):
            recorded = None
        status = run.status if recorded == sha256_file(copy) else "changed"
        try:
            table = read_adjustments(copy).table
        except PerfmodelError:
            continue
        try:
            end = parse_period(run.period).start
        except PerfmodelError:
            end = None
        for r in table.itertuples(index=False):
            try:
                if end is not None and parse_period(r.period).start > end:
                    continue
            except PerfmodelError:
                continue
            rows.append({"supervisor_id": r.supervisor_id, "period": r.period, "from_rating": r.from_rating,
                         "to_rating": r.to_rating, "reason": r.reason, "approved_by": r.approved_by,
                         "approved_on": r.approved_on, "report": f"{run.period}/{run.run_id}",
                         "notebook": run.notebook, "run_id": run.run_id, "status": status})
    out = pd.DataFrame(rows, columns=ADJUSTMENT_LIST_COLUMNS)
    return out.sort_values(["supervisor_id", "period", "report"], kind="mergesort").reset_index(drop=True)


def format_adjustments(adjustments: pd.DataFrame) -> str:
    """Render :func:`list_adjustments` as text: one block per supervisor, one line per adjustment.

    Examples
    --------
    >>> adjustments = pd.DataFrame([{
    ...     "supervisor_id": "S002", "period": "2026Q3", "from_rating": "B", "to_rating": "A",
    ...     "reason": "重大客户投诉妥善处理", "approved_by": "张总", "approved_on": "2026-10-08",
    ...     "report": "2026Q3/20261001T090000Z-c3", "notebook": "calibration",
    ...     "run_id": "20261001T090000Z-c3", "status": "complete"}])
    >>> print(format_adjustments(adjustments))
    S002
      2026Q3  B -> A  重大客户投诉妥善处理  approved by 张总 on 2026-10-08  (report 2026Q3/20261001T090000Z-c3, calibration)
    >>> format_adjustments(adjustments.iloc[:0])
    'no adjustments'
    """
    def line(r) -> str:
        flag = "" if r.status == "complete" else f"  [{r.status}]"
        return (f"  {r.period}  {r.from_rating} -> {r.to_rating}  {r.reason}  approved by {r.approved_by} "
                f"on {r.approved_on}  (report {r.report}, {r.notebook or '-'}){flag}")
    return _blocks(adjustments, "supervisor_id", line, empty="no adjustments")
