"""The one pipeline: load → validate → periods → indicators → scores.

Every consumer of indicators or scores — the command line, every notebook, the report
runner, ``audit verify``, weights, sensitivity, validity and watch — calls
:func:`run_pipeline` (or :func:`load` for the first two steps), so the chain exists once and
the same inputs give the same figures wherever they are computed.

On a terminal each step prints one line on stderr (what it did, rows read and validated,
elapsed seconds); it is quiet when stderr is not a terminal (``PERFMODEL_PROGRESS=1``
forces the lines, ``0`` silences them).
"""
from __future__ import annotations

import sys
import time
from types import SimpleNamespace
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from perfmodel.data.dataset import Dataset
from perfmodel.core.errors import UsageError
from perfmodel.data.readers import trusted_span

__all__ = ["PipelineResult", "load", "periods_for", "resolve_period", "run_pipeline", "supervisor_names",
           "trusted_span", "validate_source"]

SUPERVISOR_COLUMNS = ["supervisor_id", "name", "team", "region"]


# --------------------------------------------------------------------------- progress

class Progress:
    """One line per pipeline step on stderr, on a terminal only.

    Parameters
    ----------
    show : bool or None
        True or False to force; None to follow ``PERFMODEL_PROGRESS`` and otherwise show
        the lines only when stderr is a terminal.
    """

    def __init__(self, show: bool | None = None):
        if show is None:
            from perfmodel.data.loader import show_progress

            show = show_progress()
            if show is None:
                show = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self.show = bool(show)
        self._t0 = time.perf_counter()

    def start(self) -> float:
        """The time a step starts (for :meth:`done`)."""
        return time.perf_counter()

    def done(self, step: str, started: float, what: str = "") -> None:
        """Print ``perfmodel: <step>: <what> (<s> s, <total> s in all)`` when shown."""
        if not self.show:
            return
        now = time.perf_counter()
        detail = f": {what}" if what else ""
        print(f"perfmodel: {step}{detail} ({now - started:.1f} s, {now - self._t0:.1f} s in all)",
              file=sys.stderr, flush=True)


def _count(n) -> str:
    return f"{int(n):,}"


# --------------------------------------------------------------------------- the result

@dataclass
class PipelineResult:
    """What the pipeline computed, handed to every consumer.

    Attributes
    ----------
    dataset : Dataset or None
        The validated dataset (None on the trusted Parquet path, which validates nothing).
    policy : Policy or None
        The scoring policy, when scores were asked for, with the dataset's agreed goals
        bound to it (:func:`perfmodel.scoring.goals.bind_goals`).
    kind : str
        ``"quarter"`` or ``"month"``.
    period : str or None
        The period asked for (``latest`` resolved), None when every period was computed.
    periods : list of str
        The periods whose indicators were computed, in time order.
    panel : pandas.DataFrame
        The long indicator table of ``periods`` (columns of
        :func:`perfmodel.indicators.compute_indicators`), sorted by supervisor, period and
        indicator.
    scores : pandas.DataFrame or None
        The scores of every period of ``periods`` (columns of :func:`perfmodel.scoring.scores.score`),
        sorted by period and supervisor; None without a policy.
    engine : str
        The engine that computed the indicators.
    adjustments : perfmodel.scoring.adjustments.Adjustments or None
        The review meeting's adjustments applied to :attr:`scores` (which then carry
        ``rating_computed`` beside the final ``rating``), None without.
    """

    dataset: Dataset | None
    policy: object | None
    kind: str
    period: str | None
    periods: list[str]
    panel: pd.DataFrame
    scores: pd.DataFrame | None
    engine: str = "duckdb"
    _wide: pd.DataFrame | None = field(default=None, repr=False)
    adjustments: object | None = None

    @property
    def wide(self) -> pd.DataFrame:
        """The wide panel: supervisor_id, period, one column per indicator id."""
        if self._wide is None:
            from perfmodel.indicators import wide_panel

            self._wide = wide_panel(self.panel)
        return self._wide

    def indicators_of(self, period: str | None = None) -> pd.DataFrame:
        """The long indicator rows of one period (default: :attr:`period`), sorted by supervisor and indicator.

        Returns
        -------
        pandas.DataFrame
            Columns of :attr:`panel`, index 0..n-1.
        """
        period = period or self.period
        long = self.panel if period is None else self.panel[self.panel["period"] == period]
        return long.sort_values(["supervisor_id", "period", "indicator"], kind="mergesort").reset_index(drop=True)

    def scores_of(self, period: str | None = None) -> pd.DataFrame:
        """The scores of one period (default: :attr:`period`), sorted by supervisor.

        Returns
        -------
        pandas.DataFrame
            Columns of :attr:`scores`, index 0..n-1.

        Raises
        ------
        UsageError
            When the pipeline ran without a policy.
        """
        if self.scores is None:
            raise UsageError("no scores: run the pipeline with a policy")
        period = period or self.period
        s = self.scores if period is None else self.scores[self.scores["period"] == period]
        return s.reset_index(drop=True)

    @property
    def leniency(self) -> pd.DataFrame:
        """Whether the rater-leniency correction was applied, per corrected indicator and period.

        Returns
        -------
        pandas.DataFrame
            Columns of :data:`perfmodel.indicators.leniency.STATUS_COLUMNS`: ``indicator``, ``period``,
            ``applied`` (bool), ``reason`` (a code of :data:`perfmodel.indicators.leniency.REASONS`),
            ``detail`` (dict), ``n_raters``, ``n_ratings``; no rows when no rating table
            was present.
        """
        from perfmodel.indicators.leniency import STATUS_COLUMNS

        return pd.DataFrame(self.panel.attrs.get("leniency", []), columns=STATUS_COLUMNS)

    @property
    def quarantine(self) -> pd.DataFrame:
        """The quarantined rows (columns of :data:`perfmodel.data.dataset.QUARANTINE_COLUMNS`)."""
        from perfmodel.data.dataset import QUARANTINE_COLUMNS

        if self.dataset is None:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        return self.dataset.quarantine

    @property
    def account(self) -> pd.DataFrame:
        """Rows read, used and quarantined per table and file."""
        from perfmodel.data.dataset import ACCOUNT_COLUMNS

        if self.dataset is None:
            return pd.DataFrame(columns=ACCOUNT_COLUMNS)
        return self.dataset.account

    @property
    def supervisors(self) -> pd.DataFrame:
        """supervisor_id, name, team, region (team and region empty when the data has none)."""
        return supervisor_names(self.dataset)


def supervisor_names(dataset) -> pd.DataFrame:
    """The supervisors' names, teams and regions.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``name``, ``team``, ``region``; team and region are empty (None)
        when the table lacks them; no rows without a dataset.

    Examples
    --------
    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S2", "S1"], "name": ["李强", "王芳"],
    ...                                  "team": ["East", None]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["S1"],
    ...                              "created_at": ["2026-07-02 09:00"]})})
    >>> supervisor_names(ds)
      supervisor_id name  team region
    0            S2   李强  East    NaN
    1            S1   王芳   NaN    NaN
    >>> len(supervisor_names(None))
    0
    """
    if dataset is None:
        return pd.DataFrame(columns=SUPERVISOR_COLUMNS)
    return _name_columns(dataset.tables["supervisors"])


def _trusted_supervisors(folder) -> pd.DataFrame:
    """supervisor_id, name, team, region of a folder of Parquet tables (trusted path)."""
    path = Path(folder) / "supervisors.parquet"
    if not path.is_file():
        return pd.DataFrame(columns=SUPERVISOR_COLUMNS)
    return _name_columns(pd.read_parquet(path))


def _name_columns(supervisors: pd.DataFrame) -> pd.DataFrame:
    """The :data:`SUPERVISOR_COLUMNS` of a supervisors table, a missing one empty (None)."""
    names = supervisors.copy()
    for col in SUPERVISOR_COLUMNS:
        if col not in names:
            names[col] = None
    return names[SUPERVISOR_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- the steps

def load(data, *, progress: Progress | bool | None = None, timezone: str | None = None) -> Dataset:
    """Steps 1-2: read and validate a dataset, or pass a loaded one through.

    Parameters
    ----------
    data : Dataset, str or pathlib.Path
        A loaded dataset (returned as it is), a dataset folder, a DuckDB file
        (``*.duckdb``) or a PostgreSQL URL (``postgresql://...``), read read-only.
    progress : Progress, bool or None
        Where to report the step (see :class:`Progress`).
    timezone : str, optional
        IANA zone of the local time (default the loader's, Asia/Shanghai).

    Returns
    -------
    Dataset
        Validated tables, quarantine and row account.

    Examples
    --------
    A loaded dataset passes through; a folder is read and validated (T2 names an unknown
    supervisor):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from perfmodel import dataset_from_frames
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> _ = (folder / "tickets.csv").write_text(
    ...     "ticket_id,supervisor_id,created_at\\nT1,S1,2026-07-02 09:00\\nT2,S9,2026-07-03\\n",
    ...     encoding="utf-8")
    >>> ds = load(folder)
    >>> ds.account[["table", "rows_read", "rows_used", "rows_quarantined"]]
             table  rows_read  rows_used  rows_quarantined
    0  supervisors          1          1                 0
    1      tickets          2          1                 1
    >>> load(ds) is ds
    True
    """
    if isinstance(data, Dataset):
        return data
    from perfmodel.data.loader import load_dataset

    progress = progress if isinstance(progress, Progress) else Progress(progress)
    started = progress.start()
    dataset = load_dataset(data) if timezone is None else load_dataset(data, timezone=timezone)
    account = dataset.account
    read = int(account["rows_read"].sum()) if len(account) else 0
    quarantined = int(account["rows_quarantined"].sum()) if len(account) else 0
    progress.done("load and validate", started,
                  f"{_count(read)} rows read = {_count(read - quarantined)} used + {_count(quarantined)} "
                  f"quarantined, {len(account)} tables")
    return dataset


def _is_checked(data) -> bool:
    from perfmodel.data.enginecheck import CheckedFolder

    return isinstance(data, CheckedFolder)


def _engine_checked(folder, engine: str, as_of, progress: Progress):
    """Steps 1-2 inside the engine: the checked folder of :func:`perfmodel.data.enginecheck.check_folder`.

    Its dataset holds the quarantine, the row account and the small tables the later
    steps read in Python (``supervisors`` for names and groups, ``goals``). None when
    the engine cannot validate this input (another engine than DuckDB, a mid-period cut,
    a column type the SQL parser does not read): the pandas validator then does.
    """
    from perfmodel.data.enginecheck import check_folder, engine_checkable
    from perfmodel.data.sqlcells import Unsupported

    if engine != "duckdb" or as_of not in (None, "") or not engine_checkable(folder):
        return None
    started = progress.start()
    try:
        checked = check_folder(folder)
    except Unsupported:
        return None
    dataset = checked.dataset
    for name in ("supervisors", "goals"):
        frame = checked.frame(name)
        if frame is not None:
            dataset.tables[name] = frame
    account = dataset.account
    read, quarantined = int(account["rows_read"].sum()), int(account["rows_quarantined"].sum())
    progress.done("load and validate in the engine", started,
                  f"{_count(read)} rows read = {_count(read - quarantined)} used + {_count(quarantined)} "
                  f"quarantined, {len(account)} tables")
    return checked


def validate_source(data, *, engine: str = "duckdb", as_of=None, progress: Progress | bool | None = None):
    """Steps 1-2 once, for a caller that runs the later steps several times on the same data.

    A folder of Parquet tables on DuckDB (without a mid-period cut) is validated inside the
    engine; every other input is read and validated in Python (:func:`load`). Either
    result can be given to :func:`run_pipeline` as its ``data``: it is not validated again.

    Parameters
    ----------
    data : Dataset, CheckedFolder, str or pathlib.Path
        A dataset folder, a DuckDB file or a PostgreSQL URL; a loaded Dataset or an
        already checked folder is returned as it is.
    engine : {"duckdb", "spark"}
        The engine the later steps use.
    as_of : timestamp or str, optional
        A mid-period cut to come: the data is then loaded in Python, where it is cut.
    progress : Progress, bool or None
        See :class:`Progress`.

    Returns
    -------
    perfmodel.data.enginecheck.CheckedFolder or Dataset
        A :class:`~perfmodel.data.enginecheck.CheckedFolder` (clean rows left in the files;
        its ``dataset`` holds the quarantine, the row account and the small ``supervisors``
        and ``goals`` tables), or the validated Dataset.

    Examples
    --------
    The sample as Parquet is checked in DuckDB; its tickets are never loaded into Python:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from perfmodel.data.loader import load_dataset
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name, frame in load_dataset("data/sample").tables.items():
    ...     frame.to_parquet(folder / f"{name}.parquet", index=False)
    >>> checked = validate_source(folder)
    >>> type(checked).__name__, sorted(checked.dataset.tables)
    ('CheckedFolder', ['goals', 'supervisors'])
    >>> int(checked.dataset.account["rows_quarantined"].sum())
    0
    >>> engine = run_pipeline(checked, "efficiency", period="2026Q3").scores
    >>> python = run_pipeline("data/sample", "efficiency", period="2026Q3").scores
    >>> engine.equals(python), len(engine)
    (True, 30)

    A CSV folder is validated in Python:

    >>> type(validate_source("data/sample")).__name__
    'Dataset'
    """
    from perfmodel.data.enginecheck import CheckedFolder

    if isinstance(data, (Dataset, CheckedFolder)):
        return data
    progress = progress if isinstance(progress, Progress) else Progress(progress)
    checked = _engine_checked(data, engine, as_of, progress)
    return checked if checked is not None else load(data, progress=progress)


def indicators_step(source, periods, *, kind: str, engine: str = "duckdb", indicators=None,
                    trusted: bool = False, parameters=None) -> pd.DataFrame:
    """Step 4: the indicator panel of ``periods`` — the one call every path makes.

    :func:`run_pipeline` calls it on whole periods; the mid-period paths (watch,
    provisional scores) call it on a dataset cut at the as-of instant and on the partial
    period ``[start, as_of)``.

    Parameters
    ----------
    source : Dataset or path
        A validated dataset, or a folder of clean Parquet files with ``trusted``.
    periods : list of str or Period
        Period ids of one kind, or :class:`perfmodel.core.periods.Period` objects (partial
        periods included).
    kind : {"quarter", "month"}
        The period kind.
    engine : {"duckdb", "spark"}
        The indicator engine.
    indicators : list of str, optional
        Catalogue ids to compute (default all).
    trusted : bool
        ``source`` is a folder of clean Parquet files read by the engine directly.
    parameters : dict, optional
        Indicator parameters a policy sets (:func:`perfmodel.indicators.indicator_parameters`,
        e.g. the business hours within which a ticket counts as closed in time).

    Returns
    -------
    pandas.DataFrame
        The long panel of :func:`perfmodel.indicators.compute_indicators`:
        ``supervisor_id``, ``period``, ``indicator``, ``value``, ``numerator``,
        ``denominator``, ``available``.

    Examples
    --------
    S1 opened two tickets in 2026Q3 and one is still open at its end: a backlog ratio of 1/2.
    Without a staff table, tickets per staff-day is unavailable (never zero):

    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["王芳", "李强"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1", "S1", "S2"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-09-30 17:00",
    ...                                             "2026-08-10 14:00"],
    ...                              "resolved_at": ["2026-07-02 15:00", None, "2026-08-12 10:00"]})})
    >>> panel = indicators_step(ds, ["2026Q3"], kind="quarter",
    ...                         indicators=["backlog_ratio", "tickets_per_staff_day"])
    >>> panel[["supervisor_id", "indicator", "value", "numerator", "denominator"]]
      supervisor_id              indicator  value  numerator  denominator
    0            S1          backlog_ratio    0.5        1.0          2.0
    1            S1  tickets_per_staff_day    NaN        NaN          NaN
    2            S2          backlog_ratio    0.0        0.0          1.0
    3            S2  tickets_per_staff_day    NaN        NaN          NaN
    >>> panel["available"].tolist()
    [True, False, True, False]
    """
    from perfmodel.indicators import compute_indicators

    return compute_indicators(source, periods=periods, period_kind=kind, engine=engine,
                              indicators=indicators, trusted=trusted, parameters=parameters)


def resolve_period(dataset, period: str | None, kind: str, *, span=None) -> str | None:
    """Step 3: the period asked for, checked against the data.

    Parameters
    ----------
    dataset : Dataset or None
        The dataset whose events give the coverage (None when ``span`` is given).
    period : str or None
        A period id, ``"latest"`` (the latest period the data covers completely) or None.
    kind : {"quarter", "month"}
        The policy's period kind (used for ``latest``).
    span : (timestamp, timestamp), optional
        The earliest and latest event when known without the dataset.

    Returns
    -------
    str or None
        The period id, or None when ``period`` is None.

    Raises
    ------
    PeriodError
        On a malformed id or a period outside the data.

    Examples
    --------
    The data runs from February to September 2026:

    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
    ...                              "created_at": ["2026-02-10 09:00", "2026-09-30 17:00"]})})
    >>> resolve_period(ds, "2026Q3", "quarter"), resolve_period(ds, "latest", "quarter")
    ('2026Q3', '2026Q3')
    >>> resolve_period(ds, "2027Q1", "quarter")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PeriodError: period 2027Q1: not in the data at the dataset (the data covers 2026Q1..2026Q3); pick a period in that range
    """
    from perfmodel.core.periods import check_period, latest_complete_period

    if period is None:
        return None
    if str(period) == "latest":
        return latest_complete_period(dataset, kind, span=span)
    first, last = span if span is not None else (None, None)
    return check_period(dataset, period, first=first, last=last)


def periods_for(dataset, kind: str, period: str | None, history: bool, span=None) -> list[str]:
    """The periods whose indicators a run computes.

    Returns
    -------
    list of str
        ``[period]``; with no ``period`` every period of the data
        (:func:`perfmodel.core.periods.data_periods`); with ``history`` the periods of the data
        up to ``period``, less a first period the data covers only in part (a trend or a
        lagged regression would compare a few weeks with whole periods), unless that is
        ``period`` itself.

    Examples
    --------
    With history, the first quarter is left out: the data starts on 10 February, so 2026Q1 is
    covered only in part:

    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
    ...                              "created_at": ["2026-02-10 09:00", "2026-09-30 17:00"]})})
    >>> periods_for(ds, "quarter", "2026Q3", False), periods_for(ds, "quarter", None, False)
    (['2026Q3'], ['2026Q1', '2026Q2', '2026Q3'])
    >>> periods_for(ds, "quarter", "2026Q3", True)
    ['2026Q2', '2026Q3']
    """
    from perfmodel.core.periods import data_periods

    if period is not None and not history:
        return [period]
    every = data_periods(dataset, kind, span=span)
    if period is None:
        return every
    earlier = [p for p in every if p <= period]
    complete = data_periods(dataset, kind, complete_only=True, span=span)
    if len(earlier) > 1 and complete and earlier[0] < complete[0]:
        earlier = earlier[1:]
    return earlier


def run_pipeline(data, policy=None, *, period: str | None = None, history: bool = False, periods=None,
                 kind: str | None = None, engine: str = "duckdb", indicators=None, as_of=None,
                 trusted: bool = False, progress: Progress | bool | None = None,
                 adjustments=None, validate: str = "pandas") -> PipelineResult:
    """Run load → validate → periods → indicators → scores once.

    Parameters
    ----------
    data : Dataset, CheckedFolder, str or pathlib.Path
        A loaded dataset, a dataset folder, a DuckDB file (``*.duckdb``) or a PostgreSQL
        URL (``postgresql://...``); a database is read read-only and validated as files are.
        A Dataset or a CheckedFolder (:func:`validate_source`) is not validated again.
    policy : Policy, str or None
        A policy (or a policy file or preset name); without one no scores are computed.
    period : str, optional
        The period (``2026Q3``, ``2026-09`` or ``latest``); its kind must be the policy's.
        None computes every period of the data.
    history : bool
        With ``period``, also compute every earlier period of the data (trends, audits).
    periods : list of str, optional
        Instead of ``period``: exactly these periods (each checked against the data);
        :attr:`PipelineResult.period` is then the latest of them.
    kind : {"quarter", "month"}, optional
        The period kind when neither ``period`` nor the policy says (default quarter).
    engine : {"duckdb", "spark"}
        The indicator engine.
    indicators : list of str, optional
        Catalogue ids to compute (default all).
    as_of : timestamp or str, optional
        Cut the data at this instant first (mid-period runs): nothing after it counts.
    trusted : bool
        ``data`` is a folder of clean Parquet files read by the engine directly (no
        validation, no quarantine).
    progress : Progress, bool or None
        See :class:`Progress`.
    adjustments : str, path or Adjustments, optional
        The review meeting's ``adjustments.csv``, applied after scoring and after any quota
        (:func:`perfmodel.scoring.adjustments.apply_adjustments`); needs a policy.
    validate : {"pandas", "engine"}
        Where a folder is validated: in Python (every format), or with ``"engine"``, for a
        folder of Parquet tables on DuckDB, inside the engine
        (:func:`perfmodel.data.enginecheck.check_folder`: the same quarantine and row account;
        the clean rows stay in the files, :attr:`PipelineResult.dataset` then holds the
        quarantine, the account and only the small ``supervisors`` and ``goals`` tables).

    Returns
    -------
    PipelineResult

    Raises
    ------
    PerfmodelError
        One line naming a missing folder or file, an unreadable table, a period of the wrong
        kind or outside the data, or an unknown indicator.

    Examples
    --------
    A synthetic company of four supervisors over two quarters, scored with the
    ``efficiency`` preset; the scores are those of :func:`perfmodel.score` on the wide panel:

    >>> import tempfile
    >>> import perfmodel
    >>> from perfmodel.data.synth import generate
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, seed=1, supervisors=4, start="2026Q2", end="2026Q3", tickets=200)
    >>> run = run_pipeline(folder, "efficiency", period="2026Q3")
    >>> run.periods, int(run.account["rows_quarantined"].sum())
    (['2026Q3'], 0)
    >>> run.scores[["supervisor_id", "score", "rating"]].round(1)
      supervisor_id  score rating
    0          S001   97.7      S
    1          S002   84.8      A
    2          S003   57.4      D
    3          S004   62.2      C
    >>> perfmodel.score(run.wide, run.policy)["score"].round(1).tolist()
    [97.7, 84.8, 57.4, 62.2]
    """
    from perfmodel.core.periods import parse_period

    progress = progress if isinstance(progress, Progress) else Progress(progress)
    if periods is not None:
        if period is not None:
            raise UsageError("give period or periods, not both")
        from perfmodel.indicators import resolve_periods

        chosen = [p.id for p in resolve_periods(periods)]  # ids, one kind, in time order
        period = chosen[-1]
    if policy is not None and not hasattr(policy, "indicators"):
        from perfmodel.scoring.policy import load_policy

        policy = load_policy(policy)
    if period is not None and str(period) != "latest":
        if policy is not None:
            from perfmodel.scoring.policy import check_period_kind

            kind = check_period_kind(policy, period)  # syntax and kind before loading any data
        else:
            kind = parse_period(period).kind
    kind = kind or (getattr(policy, "period", None) if policy is not None else None) or "quarter"
    if trusted:
        from perfmodel.data.dbsource import as_database

        if as_database(data) is not None:
            raise UsageError(f"{as_database(data).name}: the trusted path reads a folder of clean Parquet "
                             f"files; a database is always validated: leave out --trusted")
        if as_of is not None:
            raise UsageError("as_of: a mid-period cut needs the validated path, not trusted Parquet")
        dataset, span, source = None, trusted_span(data), data
        where = SimpleNamespace(source=Path(data))  # names the folder in a period's refusal
    else:
        if _is_checked(data) and as_of not in (None, ""):
            raise UsageError("as_of: a mid-period cut needs data validated in Python: validate_source(data, as_of=...)")
        # a checked folder passes through; with validate="engine" a Parquet folder is checked in the engine
        engine_side = validate == "engine" or _is_checked(data)
        source = (validate_source(data, engine=engine, as_of=as_of, progress=progress) if engine_side
                  else load(data, progress=progress))
        if _is_checked(source):
            dataset = source.dataset
            where, span = source.coverage()
        else:
            dataset = source
            if as_of not in (None, ""):
                from perfmodel.data.cut import cut_dataset

                dataset = cut_dataset(dataset, as_of)
            span, source, where = None, dataset, dataset
    if policy is not None:
        from perfmodel.scoring.goals import bind_goals, goals_table, trusted_goals

        # the agreed goals travel with the policy (on the trusted path: goals.parquet as it is)
        policy = bind_goals(policy, goals_table(dataset) if dataset is not None else trusted_goals(data))
    period = resolve_period(where, period, kind, span=span)
    if periods is not None:
        for p in chosen:
            resolve_period(where, p, kind, span=span)
        periods = chosen
    else:
        periods = periods_for(where, kind, period, history, span)
    started = progress.start()
    from perfmodel.indicators import indicator_parameters

    panel = indicators_step(source, periods, kind=kind, engine=engine, indicators=indicators,
                            trusted=trusted, parameters=indicator_parameters(policy))
    del source  # the engine-validated folder's views went with the engine
    progress.done("indicators", started,
                  f"{panel['supervisor_id'].nunique():,} supervisors x {len(periods)} periods x "
                  f"{panel['indicator'].nunique()} indicators on {engine}")
    scores = None
    if policy is not None:
        from perfmodel.indicators import wide_panel
        from perfmodel.scoring.scores import score

        started = progress.start()
        groups = None
        if getattr(policy, "forced_by", None):  # quotas by team or region need the supervisors' groups
            groups = supervisor_names(dataset) if dataset is not None else _trusted_supervisors(data)
        scores = score(wide_panel(panel), policy, groups=groups)
        progress.done("scores", started, f"{len(scores):,} supervisor-periods with {policy.name} {policy.version}")
    if adjustments is not None:
        if policy is None:
            raise UsageError("adjustments: give a policy; adjustments change ratings the policy computed")
        from perfmodel.scoring.adjustments import Adjustments, apply_adjustments, read_adjustments

        if not isinstance(adjustments, Adjustments):
            adjustments = read_adjustments(adjustments)
        scores = apply_adjustments(scores, adjustments, policy, later_periods=history)
    return PipelineResult(dataset=dataset, policy=policy, kind=kind, period=period, periods=periods,
                          panel=panel, scores=scores, engine=engine, adjustments=adjustments)
