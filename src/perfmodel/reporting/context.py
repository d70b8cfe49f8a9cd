"""The context of a report run: its period, data, policy, scores and results, built once per notebook."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from perfmodel.audit.manifest import ADJUSTMENTS_FILE
from perfmodel.core import settings
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError
from perfmodel.core.i18n import (
    check_lang,
)
from perfmodel.reporting.paths import resolve_path

# targets: one module says what a target is, whether it is met and how to state it


@dataclass
class ReportContext:
    """Everything a report shows, computed once.

    Attributes
    ----------
    period : str
        The report period.
    periods : list of str
        Every period of the data up to and including ``period``.
    long, wide : pandas.DataFrame
        The indicator panel (long and wide) over ``periods``.
    scores_all, scores : pandas.DataFrame
        Scores over ``periods`` and of ``period`` only.
    supervisors : pandas.DataFrame
        supervisor_id, name, team, region.
    dataset : Dataset or None
        The loaded raw tables when the context was computed from the data folder; None when
        it was read from a run's results (a report's kernel never holds the raw tables).
    data : perfmodel.results.DataSummary
        The tables present, the quarantine, the row account and the supervisors.

    Examples
    --------
    Made by :func:`build_context` for a notebook; here a small one made by hand
    (:func:`perfmodel.reporting.demo.demo_context`), one period and three supervisors:

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> ctx.period, ctx.previous, ctx.policy.name, len(ctx.scores), ctx.dataset is None
    ('2026Q3', None, 'east', 3, True)

    ``previous`` is the period before ``period`` when the data has it:

    >>> ctx.periods, ctx.period = ["2026Q2", "2026Q3"], "2026Q3"
    >>> ctx.previous
    '2026Q2'
    """

    data_dir: Path
    policy_spec: str
    period: str
    lang: str
    engine: str
    seed: int
    run_id: str
    dataset: object
    policy: object
    periods: list[str]
    long: pd.DataFrame
    wide: pd.DataFrame
    scores_all: pd.DataFrame
    scores: pd.DataFrame
    supervisors: pd.DataFrame
    data: object = None
    cache: dict = field(default_factory=dict)

    @property
    def previous(self) -> str | None:
        """The period before ``period`` when the data has it."""
        i = self.periods.index(self.period)
        return self.periods[i - 1] if i > 0 else None


@keyword_only("lang", "engine", "seed", "run_id", "cache", "pseudonymized")
def build_context(data_dir="data/sample", policy="efficiency", period="latest", *, lang="en",
                  engine="duckdb", seed=None, run_id="", cache="", pseudonymized=False) -> ReportContext:
    """Load the data, compute the indicator panel and the scores for every period up to ``period``.

    Parameters
    ----------
    data_dir : path
        Dataset folder, relative to the current folder or to the repository root.
    policy : str or path
        Policy file or preset.
    period : str
        Period id, or ``latest`` (the latest complete period in the data).
    cache : path or ""
        A results folder written by ``perfmodel report`` (:func:`perfmodel.results.save_results`:
        the indicator panel of these periods, the quarantine and row account, the
        supervisors' names, mid-period results): the page is then made from the run's
        results, never from the raw tables. When empty or gone, everything is computed here
        from ``data_dir``.
    pseudonymized : bool
        Set by ``perfmodel report --pseudonymize``: the cache holds pseudonymized data
        (every supervisor and staff id and name replaced, see
        :func:`perfmodel.data.privacy.pseudonymize_dataset`), and the data must come from it;
        the real data folder is then read only for the hashes of its files.

    Returns
    -------
    ReportContext

    Raises
    ------
    PerfmodelError
        One line naming a missing folder, an unknown policy or a period outside the data,
        or, when ``pseudonymized``, a missing cache (the real data is never read then).

    Examples
    --------
    A page of a run is made from the run's results (the indicator panel the runner saved),
    never from the raw tables; here the panel and policy of a small context made by hand:

    >>> import tempfile
    >>> from perfmodel.data.demo import demo_dataset
    >>> from perfmodel.indicators.demo import demo_long
    >>> from perfmodel.results import save_results, summarize
    >>> from perfmodel.scoring.demo import demo_policy
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "east.yaml").write_text(demo_policy().text, encoding="utf-8")
    >>> cache = save_results(run / ".cache", summarize(demo_dataset()), demo_long())
    >>> page = build_context(run, run / "east.yaml", "2026Q3", cache=cache)
    >>> page.period, page.periods, page.previous, page.dataset is None
    ('2026Q3', ['2026Q3'], None, True)
    >>> page.scores[["supervisor_id", "score", "rating"]]  # 0.7 × 50 + 0.3 × 90 = 62 for S2
      supervisor_id  score rating
    0            S1  100.0      A
    1            S2   62.0      C
    2            S3   15.0      C
    >>> build_context(run, run / "east.yaml", "2026Q4", cache=cache)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: 2026Q4: not among the periods of the run's results (2026Q3)
    """
    from perfmodel.core.periods import parse_period
    from perfmodel.pipeline import run_pipeline
    from perfmodel.reporting import plotting
    from perfmodel.results import has_results, load_results, missing_result, summarize
    from perfmodel.scoring.policy import load_policy
    from perfmodel.scoring.scores import score

    lang = plotting.setup(lang=check_lang(lang))
    seed = settings.SEED if seed in (None, "") else int(seed)
    from perfmodel.reporting.runner import _data_source

    folder = _data_source(data_dir)  # a folder, a DuckDB file or a PostgreSQL URL
    pol_spec = str(resolve_path(policy)) if str(policy).endswith((".yaml", ".yml")) else str(policy)
    pol = load_policy(pol_spec)
    cache = Path(cache) if cache else None
    if has_results(cache):
        # the runner's pipeline outputs: the same figures as the run's CSV files
        summary, long, mid = load_results(cache)
        periods = sorted(pd.unique(long["period"].astype(str)), key=lambda p: parse_period(p).start)
        if period not in periods:
            raise UsageError(f"{period}: not among the periods of the run's results ({', '.join(periods)})")
        from perfmodel.scoring.goals import bind_goals

        pol = bind_goals(pol, summary.goals)  # the run's agreed goals, as the pipeline binds them
        scores_all = score(_wide(long), pol, groups=summary.supervisors if pol.forced_by else None)
        adjusted = cache.parent / ADJUSTMENTS_FILE  # copied into the run folder by the runner
        adjustments = None
        if adjusted.is_file():
            from perfmodel.scoring.adjustments import (
                apply_adjustments,
                read_adjustments,
            )

            adjustments = read_adjustments(adjusted)
            scores_all = apply_adjustments(scores_all, adjustments, pol, later_periods=True)
        scores = scores_all[scores_all["period"] == period].reset_index(drop=True)
        ctx = ReportContext(folder, pol_spec, period, lang, engine, seed, str(run_id or ""), None, pol,
                            periods, long, _wide(long), scores_all, scores, summary.supervisors, data=summary)
        if mid is not None:
            ctx.cache["mid_period"] = mid
        if adjustments is not None:
            ctx.cache["adjustments_sha256"] = adjustments.sha256
        return ctx
    _refuse_real_data(pseudonymized, cache, missing_result(cache))
    res = run_pipeline(folder, pol, period=period, history=True, engine=engine)
    return ReportContext(folder, pol_spec, res.period, lang, engine, seed, str(run_id or ""), res.dataset,
                         res.policy, res.periods, res.panel, res.wide, res.scores, res.scores_of(), res.supervisors,
                         data=summarize(res.dataset))


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    from perfmodel.indicators import wide_panel

    return wide_panel(long)


def _refuse_real_data(pseudonymized: bool, cache, name: str) -> None:
    # A pseudonymized page is made from the cache the runner pseudonymized, never from the data folder.
    if pseudonymized:
        where = cache / name if cache is not None else "(no cache given)"
        raise UsageError(f"pseudonymized report: the pseudonymized data {where} is missing, and the real "
                         f"data is not read for such a page; run perfmodel report --pseudonymize again")
