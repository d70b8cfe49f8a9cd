"""A synthetic after-sales service company with known ground truth.

:func:`generate` writes every table of the data contract (SPEC §1) for a number of
supervisors over a range of periods, plus ``ground_truth.json`` with the true effect of
every process indicator on every result indicator. The data are made so that a lagged
two-way fixed-effects regression of an *observed* result indicator on an *observed*
process indicator of the previous period recovers the true coefficient.

Generating model
----------------
Supervisor ``s``, period ``t`` (quarters or months, ``t = 0 .. T-1``).

1. **Process behaviour.** Each process mechanism ``k`` has a latent
   ``z[k, s, t] = a[k, s] + e[k, s, t]`` with ``a`` (persistent level) and ``e`` (period
   shock) independent standard normals, independent across ``k``. Each latent drives
   exactly one mechanism, and each mechanism feeds exactly one process indicator:

   ======================== ======================================================
   indicator                mechanism (parameter driven by its own latent)
   ======================== ======================================================
   training_completion_rate share of training rows completed by ``due_on``
   skill_gain               mean post − pre score of completed training
   compliance_rate          audit violation probability per item checked
   collaboration_score      mean peer-review collaboration score
   staff_turnover_rate      leaving probability per staff slot and period; every
                            leaver is replaced the same day, so the headcount (and
                            the staff-days) of a team are constant
   promotion_rate           number promoted per team and period (binomial), given
                            to staff not yet promoted, independent of who leaves
   first_response_hours     median of the lognormal response delay
   timely_closure_rate      probability that an ordinary ticket with a due_at is
                            resolved by due_at (complaints carry no due_at)
   backlog_ratio            share of tickets without due_at that stall (resolved
                            weeks later or never) and the number of tickets that
                            straddle the period end (see below)
   tickets_per_staff_day    ticket volume per staff member
   reopen_rate              probability that a ticket resolved in the period is
                            reopened
   complaint_handling_hours median of the lognormal complaint handling time
   ======================== ======================================================

2. **Realised process indicators.** After the events are drawn, the process indicators
   are computed per supervisor and period exactly as SPEC §3 defines them, from the rows
   that are written (the regressor a user will compute is the one the model used).

3. **Results depend on the realised process of the previous period** (lag 1), linearly,
   with the true coefficients ``beta`` of :data:`TRUE_EFFECTS` and centring constants
   ``c`` of :data:`CENTRES`; ``x`` is the realised indicator of ``t - 1`` (for ``t = 0``
   the term is zero):

   * survey ``overall`` for a survey answered in ``t``: ``E[overall] = mu[s, t] =
     csat_base[s] + csat_time[t] + sum beta (x[s, t-1] - c)``, drawn as an integer
     1..5 with exactly that mean (with probability 0.1 uniform on 1..5, else one of the
     two integers around ``(mu - 0.3) / 0.9`` with the matching probability);
   * return visit reached in ``t``: ``P(positive) = fp_base[s] + fp_time[t] + ...``;
   * complaint created in ``t``: ``P(resolved before end(t)) = cr_base[s] + cr_time[t]
     + ...``. A complaint that misses is placed across the period end with its own
     handling time (created shortly before end(t), resolved after it), so complaint
     handling times do not depend on the outcome. To keep the period-end backlog
     independent of complaint outcomes too, the number of tickets straddling end(t)
     is fixed by the backlog latent: missed complaints first, then ordinary tickets
     without due_at fill up the rest;
   * customer on the books at ``start(t)``: ``P(churn in t) = churn_base[s] +
     churn_time[t] + ...``;
   * cost control has no process cause (every coefficient on it is zero).

   These probabilities and means are clipped to their ranges (which would bend the
   linear model); the number of clipped values is returned as ``clipped`` and is zero
   for the sample data.

Because every process latent is independent of every other latent and of the result
noise, a regression of one result on one process indicator at a time is unbiased both
for the true causes and for the null ones (``tests/data/test_synth.py`` checks this by
regression on 300 supervisors). Small mechanical links remain: resolved
complaints count in the denominators of ``tickets_per_staff_day`` and ``reopen_rate``,
and ordinary tickets created in the last days of a period that are late for their
due_at sit in the period-end backlog.

``effects="zero"`` sets every coefficient to zero (a null world).

Other realism: monthly seasonality (Spring Festival dip, Double 11 and year-end peaks),
weekday and hour-of-day patterns, lognormal durations and costs, 10–15 % complaints,
due_at for 80 % of ordinary tickets (24/48/72 h), some tickets stalled or never answered,
surveys for about a third of tickets, return visits, training with due dates and
scores, audits, peer reviews, budgets, manager ratings by raters of known leniency and
self-assessments (:mod:`perfmodel.data.synth.judgement`), and a ``calendar.yaml`` of working hours
(:mod:`perfmodel.data.synth.calendar_file`), and agreed goals for the last two periods
(:mod:`perfmodel.data.synth.goals`). Nothing after the end of the last period is
written (data are extracted at that moment: later resolutions are empty).

Same arguments and seed give byte-identical files.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from perfmodel.core.errors import UsageError
from perfmodel.core.periods import period_range
from perfmodel.data.synth.company import TICKETS_PER_SUPERVISOR_QUARTER, _Company
from perfmodel.data.synthetic import write_marker
from perfmodel.data.synth.effects import CENTRES, TRUE_EFFECTS, ground_truth
from perfmodel.data.synth.judgement import judgement

__all__ = ["generate", "ground_truth", "TRUE_EFFECTS", "CENTRES", "TABLE_ORDER",
           "TICKETS_PER_SUPERVISOR_QUARTER"]

TABLE_ORDER = ("supervisors", "staff", "customers", "tickets", "surveys", "followups",
               "training", "audits", "peer_reviews", "budgets", "manager_ratings", "self_assessments",
               "goals")


# ----------------------------------------------------------------------------------------
# writing

def _write_csv(table: pa.Table, path: Path) -> None:
    header = ",".join(table.column_names) + "\n"
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8"))
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    if fmt == "csv":
        _write_csv(table, path)
    else:
        pq.write_table(table, path, compression="zstd")


def _realised_frame(company: _Company) -> pd.DataFrame:
    S, T = company.S, company.T
    out = pd.DataFrame({
        "supervisor_id": np.repeat([f"S{i + 1:0{company.sup_w}d}" for i in range(S)], T),
        "period": np.tile([p.id for p in company.periods], S),
    })
    for name in sorted(company.realised):
        out[name] = company.realised[name].ravel()
    return out


def generate(out, seed: int = 20261, supervisors: int = 30, start: str = "2024Q4",
             end: str = "2026Q3", tickets: int | None = None, effects: str = "default",
             fmt: str = "csv", raters: int | None = None, rater_leniency: float = 0.5, min_rated: int = 5,
             peer_raters: int | None = None) -> dict:
    """Write a synthetic after-sales dataset with known ground truth.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to write (created if needed). Table files already there are replaced,
        in either format, so that each table has exactly one file.
    seed : int
        Seed of the ``numpy.random.Generator(PCG64(seed))``; same seed, same bytes.
    supervisors : int
        Number of supervisors (≥ 2).
    start, end : str
        First and last period id (``2024Q4``, ``2026Q3``; months such as ``2025-01`` work
        too). Results depend on the previous period of the same kind.
    tickets : int, optional
        Total number of tickets. Default: 300 per supervisor per quarter (pro rata).
    effects : {"default", "zero"}
        ``"zero"`` is the null world: no process indicator affects any result.
    fmt : {"csv", "parquet"}
        File format of the tables.
    raters, rater_leniency, min_rated : int, float, int
        Manager ratings (:mod:`perfmodel.data.synth.judgement`): number of rating managers
        (default 8, or one per 5 supervisors), half-width of their uniform leniency in
        score points, and supervisors each rates at least per period.
    peer_raters : int, optional
        Draw the peer reviews from a pool of this many reviewers of known leniency
        (rotating like the managers) instead of staff reviewing their own supervisor.

    Returns
    -------
    dict
        ``out`` (folder), ``files`` (table -> path), ``rows`` (table -> row count),
        ``calendar`` (path of ``calendar.yaml``),
        ``ground_truth`` (path of ``ground_truth.json``), ``seed``, ``parameters``,
        ``clipped`` (values clipped to their range; 0 at the defaults) and ``realised``
        (DataFrame: supervisor_id, period and one column per indicator as realised in the
        generating model — the values the SPEC §3 definitions give on the written rows;
        for ``manager_rating`` (and ``collaboration_score`` with ``peer_raters``) the mean
        the same ratings would have had from raters of zero leniency).

    Raises
    ------
    UsageError
        When an argument is out of range.

    Examples
    --------
    A small company (three supervisors, two quarters, 60 tickets) in a temporary folder;
    the same seed writes the same bytes:

    >>> import tempfile
    >>> from perfmodel.core.hashing import sha256_file
    >>> folder = Path(tempfile.mkdtemp())
    >>> summary = generate(folder / "demo", seed=7, supervisors=3, start="2026Q2", end="2026Q3",
    ...                    tickets=60)
    >>> summary["rows"]["supervisors"], summary["rows"]["tickets"], summary["rows"]["budgets"]
    (3, 60, 6)
    >>> sorted(p.name for p in (folder / "demo").iterdir())[:5]
    ['SYNTHETIC.json', 'audits.csv', 'budgets.csv', 'calendar.yaml', 'customers.csv']
    >>> summary["realised"][["supervisor_id", "period"]].drop_duplicates().shape
    (6, 2)
    >>> again = generate(folder / "again", seed=7, supervisors=3, start="2026Q2", end="2026Q3",
    ...                  tickets=60)
    >>> sha256_file(again["files"]["tickets"]) == sha256_file(summary["files"]["tickets"])
    True
    >>> generate(folder / "bad", supervisors=1)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --supervisors 1: use at least 2
    """
    if effects not in ("default", "zero"):
        raise UsageError(f"--effects {effects!r}: use 'default' or 'zero'")
    if fmt not in ("csv", "parquet"):
        raise UsageError(f"--format {fmt!r}: use 'csv' or 'parquet'")
    if int(supervisors) < 2:
        raise UsageError(f"--supervisors {supervisors}: use at least 2")
    if tickets is not None and int(tickets) < 1:
        raise UsageError(f"--tickets {tickets}: use a positive number")
    if int(seed) < 0:
        raise UsageError(f"--seed {seed}: use a non-negative integer")
    if raters is not None and int(raters) < 2:
        raise UsageError(f"--raters {raters}: use at least 2")
    if peer_raters is not None and int(peer_raters) < 2:
        raise UsageError(f"--peer-raters {peer_raters}: use at least 2")
    if not 0 <= float(rater_leniency) <= 2:
        raise UsageError(f"--rater-leniency {rater_leniency}: use a number of score points from 0 to 2")
    if int(min_rated) < 1:
        raise UsageError(f"--min-rated {min_rated}: use a positive number")
    periods = period_range(start, end)
    betas = dict(TRUE_EFFECTS) if effects == "default" else {}
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    company = _Company(rng, int(supervisors), periods, tickets, betas).run()
    raters_truth = judgement(company, int(seed), raters=raters, leniency=float(rater_leniency),
                             min_rated=int(min_rated), peer_raters=peer_raters)
    from perfmodel.data.synth.goals import goals_table  # its own random stream: the other tables stay as they were

    company.tables["goals"] = goals_table(int(seed), _realised_frame(company), periods)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files, rows = {}, {}
    other = "parquet" if fmt == "csv" else "csv"
    for name in TABLE_ORDER:
        (out / f"{name}.{other}").unlink(missing_ok=True)  # one file per table
        path = out / f"{name}.{fmt}"
        _write(company.tables[name], path, fmt)
        files[name] = path
        rows[name] = company.tables[name].num_rows
    parameters = {"supervisors": int(supervisors), "start": periods[0].id, "end": periods[-1].id,
                  "tickets": company.n_tickets, "effects": effects, "format": fmt,
                  "centres": CENTRES, "raters": len(raters_truth["manager_raters"]),
                  "rater_leniency": float(rater_leniency), "min_rated": int(min_rated),
                  "peer_raters": None if peer_raters is None else int(peer_raters)}
    truth = ground_truth(effects)
    doc = {
        "description": ("True lag-1 effects of process indicators on result indicators in "
                        "the generating model (perfmodel.data.synth). coef = change in the result "
                        "in period t per unit of the realised process indicator in t-1; "
                        "0 = no effect."),
        "seed": int(seed),
        "parameters": parameters,
        "effects": truth.to_dict(orient="records"),
        "raters_description": ("Known leniency of each rater in score points (added to every score "
                               "they give; perfmodel.data.synth.judgement). The leniency-corrected "
                               "indicators estimate these up to their mean."),
        "raters": raters_truth,
    }
    gt_path = out / "ground_truth.json"
    gt_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_marker(out, seed=seed, parameters=parameters)  # every page of a report on it says so
    from perfmodel.data.synth.calendar_file import write_calendar

    calendar = write_calendar(out, company.tables["supervisors"].column("team").to_pylist())
    return {"out": out, "files": files, "rows": rows, "ground_truth": gt_path, "calendar": calendar,
            "seed": int(seed), "parameters": parameters, "clipped": company.clip.count,
            "realised": _realised_frame(company)}

