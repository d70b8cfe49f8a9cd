"""The indicator catalogue written once, as Ibis expressions (SPEC §3).

Everything here is engine-neutral Ibis: the same expressions run on DuckDB and on Spark.
The rules that keep the two engines equal:

* an event belongs to period P when its own timestamp falls in ``[start(P), end(P))``.
  Each timestamp gets an integer *period key* (``year*4 + quarter - 1`` or
  ``year*12 + month - 1``) from a ladder of comparisons with the period bounds as
  timestamp literals (:meth:`Context.key`). Keys are monotone in time, so
  ``ts < end(P)`` is ``key(ts) <= key(P)`` and ``ts >= end(P)`` is ``key(ts) > key(P)``:
  "open at the end of P" and "on the books at the start of P" become integer
  comparisons after a small pre-aggregation;
* naive timestamps mean the same wall-clock time on both engines (Spark runs in UTC,
  see :mod:`perfmodel.indicators.engines`);
* durations are exact integer microseconds (``delta(unit="microsecond")``) divided by
  3.6e9, never ``unix_timestamp`` (which drops the fraction of a second on Spark);
* days are integer day numbers since 1970-01-01, so staff-days and headcounts are
  integer arithmetic;
* the median is the exact one (DuckDB ``quantile_cont``, Spark ``percentile``): the mean
  of the two middle values for an even count;
* sums of an empty set are filled with 0, and a value is ``numerator / denominator``
  only when the denominator is positive, else missing (never a division by zero).

Each *measure family* turns a few source tables into one row per supervisor and period
key with named measures; :data:`INDICATORS` then says which measures are the numerator
and the denominator of each indicator. :func:`panel_expr` joins the families onto the
grid of every supervisor × every requested period.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ibis
import pandas as pd

from perfmodel.core.periods import Period

US_PER_HOUR = 3_600_000_000
EPOCH = pd.Timestamp("1970-01-01")
# A day number far in the future, for "still employed" / "not churned".
FOREVER_DAY = 10_000_000


# Contract columns that no indicator reads (not loaded into the engine from Parquet).
UNUSED_COLUMNS = {("tickets", "staff_id"), ("tickets", "customer_id")}


def period_key_of(period: Period) -> int:
    """Integer key of a period: quarters ``year*4 + q - 1``, months ``year*12 + m - 1``.

    Examples
    --------
    Keys count quarters (or months) since year 0, so consecutive periods have consecutive keys:

    >>> from perfmodel.core.periods import parse_period
    >>> period_key_of(parse_period("2026Q3")), 2026 * 4 + 3 - 1
    (8106, 8106)
    >>> period_key_of(parse_period("2026-09")), 2026 * 12 + 9 - 1
    (24320, 24320)
    >>> period_key_of(parse_period("2027Q1")) - period_key_of(parse_period("2026Q4"))
    1
    """
    if period.kind == "quarter":
        return period.start.year * 4 + (period.start.month - 1) // 3
    return period.start.year * 12 + period.start.month - 1


def day_number(ts: pd.Timestamp) -> int:
    """Days since 1970-01-01 of a midnight timestamp.

    Examples
    --------
    >>> day_number(pd.Timestamp("2026-07-01")), (pd.Timestamp("2026-07-01") - EPOCH).days
    (20635, 20635)
    >>> day_number(pd.Timestamp("1970-01-02"))
    1
    """
    return int((pd.Timestamp(ts) - EPOCH) / pd.Timedelta(days=1))


@dataclass
class Context:
    """What the expressions need to know about the request.

    Attributes
    ----------
    kind : str
        ``"quarter"`` or ``"month"``.
    work_days, supervisor_cal : ibis.Table, optional
        For the business-hours indicators: :func:`perfmodel.data.workcalendar.day_table` and
        :func:`perfmodel.data.workcalendar.supervisor_calendars` registered in the engine (the
        latter None when every supervisor works the same hours).
    lunch : bool
        Whether some working-hours pattern has a lunch break (False: the afternoon span of
        every day is empty and is left out of the clock).
    parameters : dict, optional
        Per indicator id, its parameters (``{"timely_closure_business_rate":
        {"within_hours": 16}}``); missing ones take the catalogue's defaults.
    periods : list[Period]
        The requested periods (one kind), in time order.
    tables : dict[str, ibis.Table]
        The registered source tables (only those present).
    period_table : ibis.Table
        One row per requested period: ``k`` (period key), ``period`` (id),
        ``start_day``, ``end_day`` (day numbers, end exclusive).
    """

    kind: str
    periods: list[Period]
    tables: dict
    period_table: object
    # business hours (:mod:`perfmodel.data.workcalendar`): the engine's day table, the pattern of
    # each supervisor, and the indicators' parameters (e.g. within_hours)
    work_days: object = None
    supervisor_cal: object = None
    parameters: dict | None = None
    lunch: bool = True

    @property
    def keys(self) -> list[int]:
        return [period_key_of(p) for p in self.periods]

    @property
    def first_start(self):
        return _ts(self.periods[0].start)

    @property
    def last_end(self):
        return _ts(self.periods[-1].end)

    @property
    def span(self) -> list[Period]:
        """Every period from the first requested to the last (contiguous)."""
        out = [self.periods[0]]
        while out[-1].id != self.periods[-1].id:
            out.append(out[-1].next())
        return out

    def key(self, ts):
        """Period key of a timestamp expression, from the period bounds as literals.

        A ladder of half-open comparisons over every period of the span: before the
        first start gives ``first key - 1``, at or after the last end ``last key + 1``
        (both stand for "outside the span" and compare correctly with every requested
        key); null stays null. Comparisons of timestamps are much cheaper than
        extracting calendar fields and are exact on both engines.
        """
        span = self.span
        first, last = period_key_of(span[0]), period_key_of(span[-1])
        branches = [(ts.isnull(), ibis.null("int64")), (ts < _ts(span[0].start), ibis.literal(first - 1, "int64"))]
        branches += [(ts < _ts(p.end), ibis.literal(period_key_of(p), "int64")) for p in span]
        return ibis.cases(*branches, else_=ibis.literal(last + 1, "int64"))

    def in_range(self, ts):
        """``ts`` within [start of the first period, end of the last) — literal bounds."""
        return (ts >= self.first_start) & (ts < self.last_end)


def _ts(value: pd.Timestamp):
    return ibis.literal(pd.Timestamp(value).to_pydatetime(), type="timestamp")


def _day(ts):
    """Day number (days since 1970-01-01) of a date held as a midnight timestamp."""
    return ts.delta(ibis.literal(EPOCH.to_pydatetime(), type="timestamp"), unit="day").cast("int64")


def _hours(later, earlier):
    """Exact hours from ``earlier`` to ``later`` (null when either is null)."""
    return later.delta(earlier, unit="microsecond").cast("float64") / US_PER_HOUR


def _exact_sum(col):
    """Sum of a money column, exact to a millionth of the unit whatever the order of the rows.

    A sum of doubles depends on the order in which a parallel engine adds them (its last bit
    can change from run to run, and a printed figure with it at a rounding edge); a DECIMAL
    sum does not. Cast back to float64 where the sum leaves the engine.
    """
    return col.cast("decimal(38, 6)").sum()


def _count_if(cond):
    """Number of rows where ``cond`` is true (null counts as false)."""
    return ibis.ifelse(cond.fill_null(False), 1, 0).sum()


def _is_true(col):
    return col.fill_null(False)


# --------------------------------------------------------------------------- families
# Each returns a table: supervisor_id, k, <measures...>.


def tickets_family(ctx: Context):
    """Ticket counts by creation period, resolution period and backlog at period end.

    The tickets are first reduced to a small cube by (supervisor, creation key,
    resolution key); every ticket measure is a sum over that cube, so the big table is
    scanned once. When business-hours indicators are asked for (``ctx.work_days``), the
    same scan also measures complaint handling and timely closure in business hours
    (:func:`_business_ticket_measures`).

    Examples
    --------
    T1 (a complaint) is resolved in 24 hours, before its due date; T2 after its due date;
    T3 is still open at the end of September:

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> from perfmodel.data.demo import demo_tickets
    >>> ctx = demo_engine_context(engine, tickets=demo_tickets())
    >>> row = engine.execute(tickets_family(ctx)).iloc[0]
    >>> print(row.drop(["supervisor_id", "k"]).to_string())
    created                         3
    complaints_created              2
    complaints_resolved_by_end      1
    cost                        200.0
    cost_n                          2
    due_n                           2
    timely_n                        1
    resolved                        2
    reopened_n                      1
    complaints_resolved             1
    complaint_hours              24.0
    backlog                         1
    """
    t = ctx.tables["tickets"]
    # A ticket matters if it was created before the last period ends and was still
    # open at the start of the first one (backlog reaches back to older tickets).
    relevant = (t.created_at < ctx.last_end) & (t.resolved_at.isnull() | (t.resolved_at >= ctx.first_start))
    t = t.filter(relevant)
    business = ctx.work_days is not None
    if business:
        t = _with_calendar(ctx, t)
        t = _clock(ctx, t, t.created_at, "bc", period_end=True)
        t = _clock(ctx, t, t.resolved_at, "br")
    kc = ctx.key(t.created_at)
    kr = ctx.key(t.resolved_at)
    resolved = t.resolved_at.notnull()
    complaint = _is_true(t.is_complaint)
    measures = dict(
        n=ibis._.count(),
        n_complaint=_count_if(complaint),
        n_cost=t.cost.count(),
        cost=_exact_sum(t.cost),
        n_due=_count_if(t.due_at.notnull()),
        n_timely=_count_if(t.due_at.notnull() & resolved & (t.resolved_at <= t.due_at)),
        n_reopened=_count_if(t.reopened > 0),
        complaint_us=t.resolved_at.delta(t.created_at, unit="microsecond").sum(where=complaint & resolved),
    )
    if business:
        measures.update(_business_ticket_measures(ctx, t))
    cube = t.mutate(kc=kc, kr=kr).group_by(["supervisor_id", "kc", "kr"]).aggregate(**measures)
    p = ctx.period_table
    j = cube.cross_join(p)
    created = j.kc == j.k
    resolved_in = j.kr.notnull() & (j.kr == j.k)
    # resolved_at < end(P)  <=>  key(resolved_at) <= k
    resolved_by_end = j.kr.notnull() & (j.kr <= j.k)
    # created before end(P) and unresolved at end(P): key(created) <= k < key(resolved)
    open_at_end = (j.kc <= j.k) & (j.kr.isnull() | (j.kr > j.k))
    out = dict(
        created=j.n.sum(where=created),
        complaints_created=j.n_complaint.sum(where=created),
        complaints_resolved_by_end=j.n_complaint.sum(where=created & resolved_by_end),
        cost=j.cost.sum(where=created).cast("float64"),
        cost_n=j.n_cost.sum(where=created),
        due_n=j.n_due.sum(where=created),
        timely_n=j.n_timely.sum(where=created),
        resolved=j.n.sum(where=resolved_in),
        reopened_n=j.n_reopened.sum(where=resolved_in),
        complaints_resolved=j.n_complaint.sum(where=resolved_in),
        complaint_hours=j.complaint_us.sum(where=resolved_in).cast("float64") / US_PER_HOUR,
        backlog=j.n.sum(where=open_at_end),
    )
    if business:
        out.update(_business_cube_measures(j, created, resolved_in))
    return j.group_by(["supervisor_id", "k"]).aggregate(**out)


def first_response_family(ctx: Context):
    """Exact median of first-response hours of tickets created in P that have a response.

    With ``ctx.work_days`` also the median in business hours (``bfr_median``, ``bfr_n``).

    Examples
    --------
    Responses after 2 h and 1 h: the median is 1.5 h (T3 has no response and does not count):

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> from perfmodel.data.demo import demo_tickets
    >>> ctx = demo_engine_context(engine, tickets=demo_tickets())
    >>> engine.execute(first_response_family(ctx))
      supervisor_id      k  fr_median  fr_n
    0            S1  24320        1.5     2
    """
    t = ctx.tables["tickets"]
    t = t.filter(ctx.in_range(t.created_at))
    measures = {}
    if ctx.work_days is not None:
        t = _with_calendar(ctx, t.select("supervisor_id", "created_at", "first_response_at"))
        t = _clock(ctx, t, t.created_at, "bc")
        t = _clock(ctx, t, t.first_response_at, "bf")
        # the exact median of whole microseconds, turned into hours once per group
        business_us = t.bf - t.bc
        measures = {"bfr_median": business_us.median() / US_PER_HOUR, "bfr_n": business_us.count()}
    t = t.mutate(k=ctx.key(t.created_at), h=_hours(t.first_response_at, t.created_at))
    return t.group_by(["supervisor_id", "k"]).aggregate(fr_median=t.h.median(), fr_n=t.h.count(), **measures)


SCORES = ("overall", "attitude", "resolution", "speed")


def ticket_events_family(ctx: Context):
    """Survey scores (by responded_at) and return visits (by called_at) per supervisor.

    Surveys and follow-ups belong to the supervisor of their ticket. Both are stacked
    into one table (a survey row has no ``reached``; a follow-up row has no scores) so
    that the large tickets table is joined once, not twice. Nulls drop out of every sum
    and count, so the two kinds of rows never mix.

    Examples
    --------
    Surveys and return visits count in the month of their own date (the survey of 1 October
    does not); T2's survey has no attitude score:

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> tickets = pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
    ...                         "created_at": pd.to_datetime(["2026-09-01 09:00", "2026-09-02 09:00"])})
    >>> surveys = pd.DataFrame({
    ...     "ticket_id": ["T1", "T2", "T1"],
    ...     "responded_at": pd.to_datetime(["2026-09-03", "2026-09-04", "2026-10-01"]),
    ...     "overall": [5.0, 4.0, 1.0], "attitude": [5.0, None, 1.0],
    ...     "resolution": [4.0, 4.0, 1.0], "speed": [3.0, 4.0, 1.0]})
    >>> followups = pd.DataFrame({"ticket_id": ["T1", "T2"],
    ...                           "called_at": pd.to_datetime(["2026-09-05", "2026-09-06"]),
    ...                           "reached": pd.array([True, True], dtype="boolean"),
    ...                           "positive": pd.array([True, False], dtype="boolean")})
    >>> ctx = demo_engine_context(engine, tickets=tickets, surveys=surveys, followups=followups)
    >>> row = engine.execute(ticket_events_family(ctx)).iloc[0]
    >>> print(row[["overall_sum", "overall_n", "attitude_sum", "attitude_n", "reached_n",
    ...            "positive_n"]].to_string())
    overall_sum     9.0
    overall_n         2
    attitude_sum    5.0
    attitude_n        1
    reached_n         2
    positive_n        1
    """
    parts = []
    null_scores = {c: ibis.null("float64") for c in SCORES}
    if "surveys" in ctx.tables:
        s = ctx.tables["surveys"]
        s = s.filter(ctx.in_range(s.responded_at))
        parts.append(s.select(ticket_id=s.ticket_id, at=s.responded_at, **{c: s[c] for c in SCORES},
                              reached=ibis.null("boolean"), positive=ibis.null("boolean")))
    if "followups" in ctx.tables:
        f = ctx.tables["followups"]
        f = f.filter(ctx.in_range(f.called_at))
        parts.append(f.select(ticket_id=f.ticket_id, at=f.called_at, **null_scores,
                              reached=f.reached, positive=f.positive))
    events = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    t = ctx.tables["tickets"].select("ticket_id", "supervisor_id")
    j = events.join(t, "ticket_id")
    j = j.mutate(k=ctx.key(j.at))
    measures = {}
    for col in SCORES:
        measures[f"{col}_sum"] = j[col].sum()
        measures[f"{col}_n"] = j[col].count()
    reached = _is_true(j.reached)
    measures["reached_n"] = _count_if(reached)
    measures["positive_n"] = _count_if(reached & _is_true(j.positive))
    return j.group_by(["supervisor_id", "k"]).aggregate(**measures)


def customers_family(ctx: Context):
    """Customers on the books at start(P) and those of them who churned in P.

    Examples
    --------
    C1 and C2 are on the books on 1 September (C3 arrives later, C4 left in August); C1
    churns in September:

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> customers = pd.DataFrame({
    ...     "customer_id": ["C1", "C2", "C3", "C4"], "supervisor_id": ["S1"] * 4,
    ...     "since": pd.to_datetime(["2025-01-01", "2026-03-01", "2026-09-10", "2025-05-01"]),
    ...     "churned_on": pd.to_datetime(["2026-09-15", None, None, "2026-08-01"])})
    >>> ctx = demo_engine_context(engine, customers=customers)
    >>> engine.execute(customers_family(ctx))
      supervisor_id      k  customers_at_start  churned
    0            S1  24320                   2        1
    """
    c = ctx.tables["customers"]
    cube = (
        c.mutate(ks=ctx.key(c.since), kx=ctx.key(c.churned_on))
        .group_by(["supervisor_id", "ks", "kx"])
        .aggregate(n=ibis._.count())
    )
    j = cube.cross_join(ctx.period_table)
    # since < start(P) <=> key(since) < k;  churned_on >= start(P) <=> key(churned_on) >= k
    at_start = (j.ks < j.k) & (j.kx.isnull() | (j.kx >= j.k))
    return j.group_by(["supervisor_id", "k"]).aggregate(
        customers_at_start=j.n.sum(where=at_start),
        churned=j.n.sum(where=at_start & j.kx.notnull() & (j.kx == j.k)),
    )


def budgets_family(ctx: Context):
    """The budget of each supervisor for each requested period (matched by period id).

    Examples
    --------
    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> budgets = pd.DataFrame({"supervisor_id": ["S1", "S1"], "period": ["2026-09", "2026-10"],
    ...                         "budget": [5000.0, 6000.0]})
    >>> ctx = demo_engine_context(engine, budgets=budgets)
    >>> engine.execute(budgets_family(ctx))
      supervisor_id      k  budget
    0            S1  24320  5000.0
    """
    b = ctx.tables["budgets"]
    p = ctx.period_table
    j = b.join(p, b.period == p.period)
    return j.group_by(["supervisor_id", "k"]).aggregate(budget=j.budget.sum())


def audits_family(ctx: Context):
    """Items checked and violations of audits in P.

    Examples
    --------
    The audit of 2 October belongs to October:

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> audits = pd.DataFrame({
    ...     "supervisor_id": ["S1"] * 3,
    ...     "audited_on": pd.to_datetime(["2026-09-05", "2026-09-20", "2026-10-02"]),
    ...     "items_checked": [20.0, 30.0, 10.0], "violations": [1.0, 2.0, 5.0]})
    >>> ctx = demo_engine_context(engine, audits=audits)
    >>> engine.execute(audits_family(ctx))
      supervisor_id      k  items_checked  violations
    0            S1  24320           50.0         3.0
    """
    a = ctx.tables["audits"]
    a = a.filter(ctx.in_range(a.audited_on)).mutate(k=ctx.key(a.audited_on))
    return a.group_by(["supervisor_id", "k"]).aggregate(
        items_checked=a.items_checked.sum(), violations=a.violations.sum()
    )


def peer_reviews_family(ctx: Context):
    """Sum and count of collaboration scores of peer reviews in P.

    Examples
    --------
    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> reviews = pd.DataFrame({"supervisor_id": ["S1", "S1"], "reviewer_id": ["E1", "E2"],
    ...                         "reviewed_on": pd.to_datetime(["2026-09-05", "2026-09-20"]),
    ...                         "collaboration": [4.0, 5.0]})
    >>> ctx = demo_engine_context(engine, peer_reviews=reviews)
    >>> engine.execute(peer_reviews_family(ctx))
      supervisor_id      k  collaboration_sum  collaboration_n
    0            S1  24320                9.0                2
    """
    r = ctx.tables["peer_reviews"]
    r = r.filter(ctx.in_range(r.reviewed_on)).mutate(k=ctx.key(r.reviewed_on))
    return r.group_by(["supervisor_id", "k"]).aggregate(
        collaboration_sum=r.collaboration.sum(), collaboration_n=r.collaboration.count()
    )


def manager_ratings_family(ctx: Context):
    """Sum and count of manager rating scores (every item) with rated_on in P.

    Examples
    --------
    Every item of every rater counts once (4.0 + 3.5 + 3.0):

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> ratings = pd.DataFrame({"rater_id": ["M1", "M1", "M2"], "supervisor_id": ["S1"] * 3,
    ...                         "rated_on": pd.to_datetime(["2026-09-25"] * 3),
    ...                         "item": ["执行力", "沟通协作", "执行力"], "score": [4.0, 3.5, 3.0]})
    >>> ctx = demo_engine_context(engine, manager_ratings=ratings)
    >>> engine.execute(manager_ratings_family(ctx))
      supervisor_id      k  manager_sum  manager_n
    0            S1  24320         10.5          3
    """
    r = ctx.tables["manager_ratings"]
    r = r.filter(ctx.in_range(r.rated_on)).mutate(k=ctx.key(r.rated_on))
    return r.group_by(["supervisor_id", "k"]).aggregate(manager_sum=r.score.sum(), manager_n=r.score.count())


def self_assessments_family(ctx: Context):
    """Sum and count of self-assessment scores (every item) with assessed_on in P.

    Examples
    --------
    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> own = pd.DataFrame({"supervisor_id": ["S1", "S1"],
    ...                     "assessed_on": pd.to_datetime(["2026-09-25"] * 2),
    ...                     "item": ["执行力", "沟通协作"], "score": [4.5, 4.0]})
    >>> ctx = demo_engine_context(engine, self_assessments=own)
    >>> engine.execute(self_assessments_family(ctx))
      supervisor_id      k  self_sum  self_n
    0            S1  24320       8.5       2
    """
    r = ctx.tables["self_assessments"]
    r = r.filter(ctx.in_range(r.assessed_on)).mutate(k=ctx.key(r.assessed_on))
    return r.group_by(["supervisor_id", "k"]).aggregate(self_sum=r.score.sum(), self_n=r.score.count())


def _training(ctx: Context):
    tr = ctx.tables["training"]
    st = ctx.tables["staff"].select("staff_id", "supervisor_id")
    return tr.join(st, "staff_id")


def training_due_family(ctx: Context):
    """Training rows due in P and those completed on or before their due date.

    Examples
    --------
    Three courses are due in September; only E1 finished on time (E3 finished five days late):

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> from perfmodel.data.demo import demo_training
    >>> ctx = demo_engine_context(engine, **demo_training())
    >>> engine.execute(training_due_family(ctx))
      supervisor_id      k  training_due  training_on_time
    0            S1  24320             3                 1
    """
    j = _training(ctx)
    j = j.filter(ctx.in_range(j.due_on)).mutate(k=ctx.key(j.due_on))
    on_time = j.completed_on.notnull() & (j.completed_on <= j.due_on)
    return j.group_by(["supervisor_id", "k"]).aggregate(training_due=ibis._.count(),
                                                        training_on_time=_count_if(on_time))


def training_done_family(ctx: Context):
    """Score gains of training completed in P with both a pre and a post score.

    Examples
    --------
    E1 gained 15 points and E3 20; E2 has not finished:

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> from perfmodel.data.demo import demo_training
    >>> ctx = demo_engine_context(engine, **demo_training())
    >>> engine.execute(training_done_family(ctx))
      supervisor_id      k  gain_sum  gain_n
    0            S1  24320      35.0       2
    """
    j = _training(ctx)
    j = j.filter(ctx.in_range(j.completed_on) & j.pre_score.notnull() & j.post_score.notnull())
    j = j.mutate(k=ctx.key(j.completed_on), gain=j.post_score - j.pre_score)
    return j.group_by(["supervisor_id", "k"]).aggregate(gain_sum=j.gain.sum(), gain_n=j.gain.count())


def staff_family(ctx: Context):
    """Staff-days, headcounts on the first and last day, leavers and promotions in P.

    A staff member is employed on day d when hired_on <= d < left_on (no left_on:
    still employed).

    Examples
    --------
    E1 works all 30 days of September, E2 from the 16th (15 days), E3 until leaving on the
    11th (10 days): 55 staff-days; two on the first day (E1, E3) and two on the last (E1, E2):

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> staff = pd.DataFrame({
    ...     "staff_id": ["E1", "E2", "E3"], "supervisor_id": ["S1"] * 3,
    ...     "hired_on": pd.to_datetime(["2025-01-01", "2026-09-16", "2024-03-01"]),
    ...     "left_on": pd.to_datetime([None, None, "2026-09-11"]),
    ...     "promoted_on": pd.to_datetime(["2026-09-20", None, None])})
    >>> ctx = demo_engine_context(engine, staff=staff)
    >>> print(engine.execute(staff_family(ctx)).iloc[0].to_string())
    supervisor_id         S1
    k                  24320
    staff_days            55
    headcount_first        2
    headcount_last         2
    leavers                1
    promotions             1
    """
    s = ctx.tables["staff"]
    s = s.mutate(hired=_day(s.hired_on), left=_day(s.left_on).fill_null(FOREVER_DAY),
                 promoted=_day(s.promoted_on))
    j = s.cross_join(ctx.period_table)
    first_day, last_day = j.start_day, j.end_day - 1
    days = ibis.greatest(ibis.least(j.left, j.end_day) - ibis.greatest(j.hired, j.start_day), 0)
    return j.group_by(["supervisor_id", "k"]).aggregate(
        staff_days=days.sum(),
        headcount_first=_count_if((j.hired <= first_day) & (first_day < j.left)),
        headcount_last=_count_if((j.hired <= last_day) & (last_day < j.left)),
        leavers=_count_if((j.left >= j.start_day) & (j.left < j.end_day)),
        promotions=_count_if(j.promoted.notnull() & (j.promoted >= j.start_day) & (j.promoted < j.end_day)),
    )


# --------------------------------------------------------------------------- business hours

EPOCH_DATE = EPOCH.date()
US_PER_DAY = 86_400_000_000


def _clock(ctx: Context, t, ts, name: str, *, period_end: bool = False):
    """Join the day table onto ``t`` at the day of ``ts``; add ``<name>`` = business µs up to ts.

    Business time up to an instant u (microseconds since 1970) is the working time before
    its day (``cum_us``) plus the parts of the day's working spans ``[a, a + l)`` that
    lie before u. Days and microseconds are integers, so every engine gets the same
    numbers and their sums are exact in any order. A null ``ts`` gives null. ``period_end``
    also brings ``<name>_pe``, the business time at the end of the period holding the day.

    Only what the request needs is joined: the afternoon span only when some team has a
    lunch break (``ctx.lunch``; without one it is empty), the pattern ``cal`` only when
    the teams' hours differ (``ctx.supervisor_cal``).
    """
    u = ts.delta(ibis.literal(EPOCH.to_pydatetime(), type="timestamp"), unit="microsecond")
    t = t.mutate(**{f"{name}_u": u, f"{name}_day": _day(ts)})
    days = ctx.work_days
    spans = ("a1", "l1", "a2", "l2") if ctx.lunch else ("a1", "l1")
    cols = {f"{name}_dn": days.day, f"{name}_cum": days.cum_us, **{f"{name}_{c}": days[c] for c in spans}}
    if period_end:
        cols[f"{name}_pe"] = days.period_end_us
    if ctx.supervisor_cal is not None:
        cols[f"{name}_cal"] = days.cal
    d = days.select(**cols)
    keys = [t[f"{name}_day"] == d[f"{name}_dn"]]
    if ctx.supervisor_cal is not None:
        keys.append(t.cal == d[f"{name}_cal"])
    j = t.left_join(d, keys)
    u, zero = j[f"{name}_u"], ibis.literal(0, "int64")

    def part(a, n):
        return ibis.least(ibis.greatest(u - j[f"{name}_{a}"], zero), j[f"{name}_{n}"])

    clock = j[f"{name}_cum"] + part("a1", "l1")
    if ctx.lunch:
        clock = clock + part("a2", "l2")
    return j.mutate(**{name: clock})


def _with_calendar(ctx: Context, t):
    """``t`` with the working-hours pattern ``cal`` of its supervisor (default 0).

    With one pattern for everybody (no team of its own) nothing is added: the day
    table is then joined on the day alone.
    """
    if ctx.supervisor_cal is None:
        return t
    sc = ctx.supervisor_cal.rename(sc_supervisor_id="supervisor_id")
    j = t.left_join(sc, t.supervisor_id == sc.sc_supervisor_id)
    return j.mutate(cal=j.cal.fill_null(0)).drop("sc_supervisor_id")


def within_hours(ctx: Context) -> float:
    """N of timely_closure_business_rate: from the parameters, else the catalogue default.

    Examples
    --------
    >>> from perfmodel.core.periods import parse_period
    >>> sep = parse_period("2026-09")
    >>> within_hours(Context(kind="month", periods=[sep], tables={}, period_table=None))
    16.0
    >>> within_hours(Context(kind="month", periods=[sep], tables={}, period_table=None,
    ...                      parameters={"timely_closure_business_rate": {"within_hours": 8}}))
    8.0
    """
    from perfmodel.core import catalogue as _catalogue

    given = (ctx.parameters or {}).get("timely_closure_business_rate", {}).get("within_hours")
    if given is None:
        given = _catalogue.indicator("timely_closure_business_rate")["parameters"]["within_hours"]
    return float(given)


def _business_ticket_measures(ctx: Context, t) -> dict:
    """Cube measures of complaint handling and timely closure in business hours.

    Per ticket: the business time from creation to resolution (``br - bc``, null while
    open), and from creation to the end of its creation period (``bc_pe - bc``). Whether
    a ticket was resolved before the end of its creation period depends only on the
    cube's keys (``kr <= kc``), so it is decided per cube row in :func:`tickets_family`
    (:func:`_business_cube_measures`); per ticket only the two comparisons with N remain.
    All sums are of whole microseconds or counts: exact in any order.
    """
    n_us = int(round(within_hours(ctx) * US_PER_HOUR))
    elapsed = t.br - t.bc
    return dict(
        b_complaint_us=ibis.ifelse(_is_true(t.is_complaint), elapsed, 0).sum(),
        b_fast=_count_if(elapsed <= n_us),
        b_overdue=_count_if(t.bc_pe - t.bc > n_us),
    )


def _business_cube_measures(j, created, resolved_in) -> dict:
    """The business-hours measures of a period from the cube crossed with the periods.

    A ticket created in P counts for timely closure when it was resolved before end(P)
    (in time when within N business hours: ``b_fast``) or when more than N business hours
    had passed by end(P) while it was still open (late: ``b_overdue``); otherwise it is
    left out. Resolved before the end of the creation period: ``key(resolved_at) <=
    key(created_at)``, the same for every ticket of a cube row.
    """
    by_end = j.kr.notnull() & (j.kr <= j.kc)
    return dict(
        bch_us=j.b_complaint_us.sum(where=resolved_in),
        bch_n=j.n_complaint.sum(where=resolved_in),
        btc_den=ibis.ifelse(by_end, j.n, j.b_overdue).sum(where=created),
        btc_num=j.b_fast.sum(where=created & by_end),
    )


@dataclass(frozen=True)
class Family:
    """A measure family: the tables it reads, its builder, and its measures.

    ``fill`` holds the measures that are 0 (not missing) for a supervisor and period
    without rows: counts and sums.
    """

    name: str
    tables: tuple[str, ...]
    build: Callable
    fill: tuple[str, ...]
    keep_null: tuple[str, ...] = ()
    # measures the builder adds only for the business-hours indicators (ctx.work_days)
    business: tuple[str, ...] = ()


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("tickets", ("tickets",), tickets_family,
           ("created", "complaints_created", "complaints_resolved_by_end", "cost", "cost_n", "due_n",
            "timely_n", "resolved", "reopened_n", "complaints_resolved", "complaint_hours", "backlog"),
           business=("bch_us", "bch_n", "btc_den", "btc_num")),
    Family("first_response", ("tickets",), first_response_family, ("fr_n",), ("fr_median",),
           business=("bfr_median", "bfr_n")),
    Family("ticket_events", ("tickets",), ticket_events_family,
           tuple(f"{c}_{m}" for c in SCORES for m in ("sum", "n")) + ("reached_n", "positive_n")),
    Family("customers", ("customers",), customers_family, ("customers_at_start", "churned")),
    Family("budgets", ("budgets",), budgets_family, (), ("budget",)),
    Family("audits", ("audits",), audits_family, ("items_checked", "violations")),
    Family("peer_reviews", ("peer_reviews",), peer_reviews_family, ("collaboration_sum", "collaboration_n")),
    Family("training_due", ("staff", "training"), training_due_family, ("training_due", "training_on_time")),
    Family("training_done", ("staff", "training"), training_done_family, ("gain_sum", "gain_n")),
    Family("staff", ("staff",), staff_family,
           ("staff_days", "headcount_first", "headcount_last", "leavers", "promotions")),
    Family("manager_ratings", ("manager_ratings",), manager_ratings_family, ("manager_sum", "manager_n")),
    Family("self_assessments", ("self_assessments",), self_assessments_family, ("self_sum", "self_n")),
)}

#: Indicators that need the working calendar in the :class:`Context` (``work_days``).
BUSINESS_INDICATORS = ("first_response_business_hours", "complaint_handling_business_hours",
                       "timely_closure_business_rate")


@dataclass(frozen=True)
class Indicator:
    """How one catalogue indicator is made from measures.

    ``numerator`` and ``denominator`` take the joined measures (an Ibis table ``m``)
    and return expressions. ``value`` is given only when the value is not
    numerator ÷ denominator (the median). ``families`` are the measure families used.
    """

    families: tuple[str, ...]
    numerator: Callable
    denominator: Callable
    value: Callable | None = None


def _nan(m):
    return ibis.literal(None, type="float64")


INDICATORS: dict[str, Indicator] = {
    "csat": Indicator(("ticket_events",), lambda m: m.overall_sum, lambda m: m.overall_n),
    "csat_attitude": Indicator(("ticket_events",), lambda m: m.attitude_sum, lambda m: m.attitude_n),
    "csat_resolution": Indicator(("ticket_events",), lambda m: m.resolution_sum, lambda m: m.resolution_n),
    "csat_speed": Indicator(("ticket_events",), lambda m: m.speed_sum, lambda m: m.speed_n),
    "followup_positive_rate": Indicator(("ticket_events",), lambda m: m.positive_n, lambda m: m.reached_n),
    "complaint_resolution_rate": Indicator(("tickets",), lambda m: m.complaints_resolved_by_end,
                                           lambda m: m.complaints_created),
    "customer_churn_rate": Indicator(("customers",), lambda m: m.churned, lambda m: m.customers_at_start),
    "cost_control_rate": Indicator(("tickets", "budgets"), lambda m: m.cost, lambda m: m.budget),
    "first_response_hours": Indicator(("first_response",), _nan, lambda m: m.fr_n, lambda m: m.fr_median),
    "complaint_handling_hours": Indicator(("tickets",), lambda m: m.complaint_hours,
                                          lambda m: m.complaints_resolved),
    "timely_closure_rate": Indicator(("tickets",), lambda m: m.timely_n, lambda m: m.due_n),
    "backlog_ratio": Indicator(("tickets",), lambda m: m.backlog, lambda m: m.created),
    "tickets_per_staff_day": Indicator(("tickets", "staff"), lambda m: m.resolved, lambda m: m.staff_days),
    "reopen_rate": Indicator(("tickets",), lambda m: m.reopened_n, lambda m: m.resolved),
    "compliance_rate": Indicator(("audits",), lambda m: m.items_checked - m.violations,
                                 lambda m: m.items_checked),
    "collaboration_score": Indicator(("peer_reviews",), lambda m: m.collaboration_sum,
                                     lambda m: m.collaboration_n),
    "training_completion_rate": Indicator(("training_due",), lambda m: m.training_on_time,
                                          lambda m: m.training_due),
    "skill_gain": Indicator(("training_done",), lambda m: m.gain_sum, lambda m: m.gain_n),
    "staff_turnover_rate": Indicator(("staff",), lambda m: m.leavers,
                                     lambda m: (m.headcount_first + m.headcount_last) / 2),
    "promotion_rate": Indicator(("staff",), lambda m: m.promotions,
                                lambda m: (m.headcount_first + m.headcount_last) / 2),
    "cost_per_ticket": Indicator(("tickets",), lambda m: m.cost, lambda m: m.cost_n),
    "first_response_business_hours": Indicator(("first_response",), _nan, lambda m: m.bfr_n,
                                               lambda m: m.bfr_median),
    "complaint_handling_business_hours": Indicator(("tickets",),
                                                   lambda m: m.bch_us.cast("float64") / US_PER_HOUR,
                                                   lambda m: m.bch_n),
    "timely_closure_business_rate": Indicator(("tickets",), lambda m: m.btc_num, lambda m: m.btc_den),
    # the raw means; collaboration_score and manager_rating start from them and are then
    # corrected for rater leniency in Python (perfmodel.indicators.leniency), the same for every engine
    "collaboration_score_raw": Indicator(("peer_reviews",), lambda m: m.collaboration_sum,
                                         lambda m: m.collaboration_n),
    "manager_rating": Indicator(("manager_ratings",), lambda m: m.manager_sum, lambda m: m.manager_n),
    "manager_rating_raw": Indicator(("manager_ratings",), lambda m: m.manager_sum, lambda m: m.manager_n),
    "self_rating": Indicator(("self_assessments",), lambda m: m.self_sum, lambda m: m.self_n),
}


def _float(expr):
    return expr if expr.type().is_float64() else expr.cast("float64")


def panel_expr(ctx: Context, supervisors, indicator_ids: list[str]):
    """The whole request as one Ibis expression.

    Parameters
    ----------
    ctx : Context
        Requested periods and registered tables.
    supervisors : ibis.Table
        Table with a ``supervisor_id`` column: every supervisor gets a row.
    indicator_ids : list of str
        Indicators to compute; their families' tables must all be present.

    Returns
    -------
    ibis.Table
        One row per supervisor × requested period: ``supervisor_id``, ``period`` and, per
        indicator, ``<id>__value``, ``<id>__numerator``, ``<id>__denominator`` (float64).

    Examples
    --------
    Every supervisor gets a row; S2 has no ticket, so its rates are missing (an empty
    denominator), never zero. T1 is closed on time, T2 late; T3 is still open:

    >>> from perfmodel.indicators.demo import demo_engine_context
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> from perfmodel.data.demo import demo_tickets
    >>> supervisors = engine.register("supervisors", pd.DataFrame({"supervisor_id": ["S1", "S2"]}))
    >>> ctx = demo_engine_context(engine, tickets=demo_tickets())
    >>> wide = engine.execute(panel_expr(ctx, supervisors,
    ...                                  ["timely_closure_rate", "backlog_ratio"]))
    >>> wide.set_index("supervisor_id").T
    supervisor_id                          S1       S2
    period                            2026-09  2026-09
    timely_closure_rate__value            0.5      NaN
    timely_closure_rate__numerator        1.0      0.0
    timely_closure_rate__denominator      2.0      0.0
    backlog_ratio__value             0.333333      NaN
    backlog_ratio__numerator              1.0      0.0
    backlog_ratio__denominator            3.0      0.0
    """
    grid = supervisors.select("supervisor_id").distinct().cross_join(
        ctx.period_table.select("k", "period"))
    families = [f for f in FAMILIES if any(f in INDICATORS[i].families for i in indicator_ids)]
    # One flat chain of left joins (keys renamed per family, dropped once at the end):
    # much smaller SQL than joining and re-projecting family by family.
    m = grid
    for name in families:
        part = FAMILIES[name].build(ctx).rename(**{f"s_{name}": "supervisor_id", f"k_{name}": "k"})
        m = m.left_join(part, [m.supervisor_id == part[f"s_{name}"], m.k == part[f"k_{name}"]])
    with_business = ctx.work_days is not None
    measures = {c: m[c] for name in families
                for c in FAMILIES[name].fill + FAMILIES[name].keep_null
                + (FAMILIES[name].business if with_business else ())}
    counts = {c for n in families for c in FAMILIES[n].fill + FAMILIES[n].business if not c.endswith("_median")}
    m = m.select(supervisor_id=m.supervisor_id, period=m.period,
                 **{c: (e.fill_null(0) if c in counts else e) for c, e in measures.items()})
    cols = {"supervisor_id": m.supervisor_id, "period": m.period}
    for ind in indicator_ids:
        spec = INDICATORS[ind]
        num, den = _float(spec.numerator(m)), _float(spec.denominator(m))
        if spec.value is not None:
            value = _float(spec.value(m))
        else:
            # denominators are never negative: NULLIF turns an empty one into a missing value
            # (and keeps Spark's ANSI mode from raising on a division by zero)
            value = num / den.nullif(0.0)
        cols[f"{ind}__value"] = value
        cols[f"{ind}__numerator"] = num
        cols[f"{ind}__denominator"] = den
    return m.select(**cols)
