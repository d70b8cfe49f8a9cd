"""Benchmark: the full indicator panel on 10 million tickets (DuckDB).

Goals: the full panel (every indicator, every supervisor, every quarter) takes at most
3x the time of baseline (a) and less than baseline (b); peak memory at most 4 GB.

Measured, each in its own child process (so that each peak resident memory is its own):

panel     ``compute_indicators(folder, trusted=True)``: DuckDB reads the dataset's Parquet
          files directly (the dataset is clean: it was just written by perfmodel.data.synth).
memory    the in-memory path: the tables are read with pandas (``load``), then
          ``compute_indicators(Dataset)`` registers them in DuckDB through Arrow
          (``compute``). The validating loader is not timed here (see bench_loader.py).
(a)       one hand-written DuckDB query over the same tickets file: ticket count, mean
          resolution hours and complaint share per supervisor-quarter.
(join)    one hand-written DuckDB query that only attributes the surveys and follow-ups to the
          supervisors of their tickets (join on the text ticket_id, count per supervisor and
          quarter): work that csat and the follow-up rate cannot do without, timed to show
          how much of the panel's budget of 3x (a) it takes by itself.
(floor)   one hand-written DuckDB query that does only what no exact implementation of the
          catalogue can skip: read every ticket column an indicator uses, once, and attribute
          each survey and follow-up to its ticket (a join on the text ticket_id), computing
          nothing. Any full panel over these files costs at least this much.
(b)       a straightforward pandas implementation of the whole catalogue (below), read
          and compute timed separately. Its numbers are also compared with the panel's.

The data are written once with ``perfmodel.data.synth.generate`` to
``benchmarks/_data/indicators_10m`` (git-ignored) and reused afterwards.

    .venv/bin/python benchmarks/bench_indicators.py [--tickets 10000000] [--supervisors 2000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
GOAL_RATIO_A = 3.0
GOAL_GB = 4.0
START, END = "2024Q4", "2026Q3"


def _peak_gb() -> float:
    """Peak resident memory of this process in GB.

    VmHWM (reset by exec) rather than ru_maxrss, which a child inherits from the parent
    that forked it.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def folder_for(tickets: int) -> Path:
    return DATA / ("indicators_10m" if tickets == 10_000_000 else f"indicators_{tickets}")


def ensure_data(tickets: int, supervisors: int) -> Path:
    out = folder_for(tickets)
    done = out / "_complete.json"
    if done.exists() and json.loads(done.read_text()) == {"tickets": tickets, "supervisors": supervisors}:
        return out
    from perfmodel.data.synth import generate

    t0 = time.perf_counter()
    generate(out, seed=1, supervisors=supervisors, start=START, end=END, tickets=tickets, fmt="parquet")
    print(f"wrote {out} in {time.perf_counter() - t0:.1f} s", flush=True)
    done.write_text(json.dumps({"tickets": tickets, "supervisors": supervisors}))
    return out


# --------------------------------------------------------------------------- measurements


def run_panel(folder: Path) -> dict:
    from perfmodel.indicators import compute_indicators

    t0 = time.perf_counter()
    long = compute_indicators(folder, period_kind="quarter", trusted=True)
    wall = time.perf_counter() - t0
    long.to_parquet(folder.parent / f"{folder.name}_panel.parquet", index=False)
    return {"wall_s": wall, "peak_gb": _peak_gb(), "rows": len(long)}


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table with pandas; dates as datetime64 (as the loader gives them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = {}
    for path in sorted(folder.glob("*.parquet")):
        if path.stem.startswith("_"):
            continue
        table = pq.read_table(path)
        schema = pa.schema([pa.field(f.name, pa.timestamp("ms")) if pa.types.is_date(f.type) else f
                            for f in table.schema])
        tables[path.stem] = table.cast(schema).to_pandas()
    return tables


def run_memory(folder: Path) -> dict:
    from perfmodel.data.dataset import Dataset
    from perfmodel.indicators import compute_indicators

    t0 = time.perf_counter()
    ds = Dataset(tables=_read_tables(folder))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    long = compute_indicators(ds, period_kind="quarter")
    compute = time.perf_counter() - t0
    return {"load_s": load, "compute_s": compute, "peak_gb": _peak_gb(), "rows": len(long)}


def _source(folder: Path, table: str) -> str:
    """``read_parquet('<folder>/<table>.parquet')`` for a hand-written query."""
    return "read_parquet('" + str(folder / f"{table}.parquet").replace("'", "''") + "')"


def _time_query(sql: str) -> dict:
    """Run one DuckDB query on a fresh connection; its wall time, peak memory and row count."""
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    out = con.execute(sql).df()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "peak_gb": _peak_gb(), "rows": len(out)}


def run_baseline_a(folder: Path) -> dict:
    return _time_query(f"""
        SELECT supervisor_id,
               year(created_at) * 10 + quarter(created_at) AS q,
               count(*) AS n,
               avg(date_diff('microsecond', created_at, resolved_at) / 3.6e9) AS mean_resolution_hours,
               avg(CASE WHEN is_complaint THEN 1.0 ELSE 0.0 END) AS complaint_share
        FROM {_source(folder, 'tickets')}
        GROUP BY ALL
    """)


def run_join(folder: Path) -> dict:
    return _time_query(f"""
        SELECT t.supervisor_id, year(e.ts) * 10 + quarter(e.ts) AS q, count(*) AS n
        FROM (SELECT ticket_id, responded_at AS ts FROM {_source(folder, 'surveys')} AS s
              UNION ALL SELECT ticket_id, called_at FROM {_source(folder, 'followups')} AS f) AS e
        JOIN (SELECT ticket_id, supervisor_id FROM {_source(folder, 'tickets')}) AS t USING (ticket_id)
        GROUP BY ALL
    """)


def run_floor(folder: Path) -> dict:
    from perfmodel.indicators.definitions import UNUSED_COLUMNS
    from perfmodel.data.schema import TABLES

    used = [c.name for c in TABLES["tickets"].columns if ("tickets", c.name) not in UNUSED_COLUMNS]
    reads = ", ".join(f'max("{c}")' for c in used if c != "ticket_id")
    cols = ", ".join(f'"{c}"' for c in used)
    return _time_query(f"""
        SELECT {reads}, count(e.ts)
        FROM (SELECT {cols} FROM {_source(folder, 'tickets')}) AS t
        LEFT JOIN (SELECT ticket_id, responded_at AS ts FROM {_source(folder, 'surveys')}
                   UNION ALL SELECT ticket_id, called_at FROM {_source(folder, 'followups')}) AS e
        USING (ticket_id)
    """)


def run_baseline_b(folder: Path) -> dict:
    t0 = time.perf_counter()
    tables = _read_tables(folder)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    long = pandas_catalogue(tables)
    compute = time.perf_counter() - t0
    long.to_parquet(folder.parent / f"{folder.name}_pandas.parquet", index=False)
    return {"read_s": read, "compute_s": compute, "wall_s": read + compute, "peak_gb": _peak_gb(),
            "rows": len(long)}


# --------------------------------------------------------------------------- baseline (b)


def pandas_catalogue(t: dict[str, pd.DataFrame], kind: str = "quarter") -> pd.DataFrame:
    """The catalogue (SPEC §3) in plain pandas, one period at a time.

    Returns
    -------
    pandas.DataFrame
        supervisor_id, period, indicator, value for every supervisor, quarter and
        indicator (NaN where the denominator is empty).
    """
    from perfmodel.core.periods import period_range

    tk = t["tickets"]
    created, resolved = tk["created_at"], tk["resolved_at"]
    complaint = tk["is_complaint"].fillna(False).astype(bool)
    hours_resolve = (resolved - created) / pd.Timedelta(hours=1)
    hours_response = (tk["first_response_at"] - created) / pd.Timedelta(hours=1)
    sup_of_ticket = tk[["ticket_id", "supervisor_id"]]
    surveys = t["surveys"].merge(sup_of_ticket, on="ticket_id")
    followups = t["followups"].merge(sup_of_ticket, on="ticket_id")
    staff = t["staff"]
    training = t["training"].merge(staff[["staff_id", "supervisor_id"]], on="staff_id")
    customers, audits, reviews, budgets = t["customers"], t["audits"], t["peer_reviews"], t["budgets"]
    sups = pd.Index(sorted(t["supervisors"]["supervisor_id"]), name="supervisor_id")
    first, last = created.min(), created.max()
    from perfmodel.core.periods import period_containing

    periods = period_range(period_containing(first, kind).id, period_containing(last, kind).id)
    out = []

    def ratio(num, den):
        num = num.reindex(sups).fillna(0.0)
        den = den.reindex(sups)
        return num / den.where(den > 0)

    for p in periods:
        s, e = p.start, p.end
        c = (created >= s) & (created < e)
        r = (resolved >= s) & (resolved < e)
        by = tk["supervisor_id"]
        vals = {}
        cc = c & complaint
        vals["complaint_resolution_rate"] = ratio((cc & (resolved < e)).groupby(by).sum(), cc.groupby(by).sum())
        cost_sum = tk["cost"].where(c).groupby(by).sum()
        bud = budgets[budgets["period"] == p.id].set_index("supervisor_id")["budget"]
        vals["cost_control_rate"] = ratio(cost_sum, bud)
        vals["cost_per_ticket"] = ratio(cost_sum, tk["cost"].where(c).groupby(by).count())
        vals["first_response_hours"] = hours_response.where(c).groupby(by).median().reindex(sups)
        rc = r & complaint
        vals["complaint_handling_hours"] = ratio(hours_resolve.where(rc).groupby(by).sum(), rc.groupby(by).sum())
        d = c & tk["due_at"].notna()
        vals["timely_closure_rate"] = ratio((d & (resolved <= tk["due_at"])).groupby(by).sum(), d.groupby(by).sum())
        backlog = (created < e) & (resolved.isna() | (resolved >= e))
        vals["backlog_ratio"] = ratio(backlog.groupby(by).sum(), c.groupby(by).sum())
        vals["reopen_rate"] = ratio((r & (tk["reopened"] > 0)).groupby(by).sum(), r.groupby(by).sum())
        # staff
        left = staff["left_on"].fillna(pd.Timestamp.max.floor("D"))
        lo = staff["hired_on"].where(staff["hired_on"] > s, s)
        hi = left.where(left < e, e)
        days = ((hi - lo) / pd.Timedelta(days=1)).clip(lower=0)
        staff_days = days.groupby(staff["supervisor_id"]).sum()
        vals["tickets_per_staff_day"] = ratio(r.groupby(by).sum(), staff_days)
        last_day = e - pd.Timedelta(days=1)
        hc = (((staff["hired_on"] <= s) & (s < left)).astype(int)
              + ((staff["hired_on"] <= last_day) & (last_day < left)).astype(int)) / 2
        hc = hc.groupby(staff["supervisor_id"]).sum()
        leavers = ((staff["left_on"] >= s) & (staff["left_on"] < e)).groupby(staff["supervisor_id"]).sum()
        promoted = ((staff["promoted_on"] >= s) & (staff["promoted_on"] < e)).groupby(staff["supervisor_id"]).sum()
        vals["staff_turnover_rate"] = ratio(leavers, hc)
        vals["promotion_rate"] = ratio(promoted, hc)
        # surveys and follow-ups
        sv = surveys[(surveys["responded_at"] >= s) & (surveys["responded_at"] < e)]
        for col, ind in (("overall", "csat"), ("attitude", "csat_attitude"),
                         ("resolution", "csat_resolution"), ("speed", "csat_speed")):
            vals[ind] = sv.groupby("supervisor_id")[col].mean().reindex(sups)
        fu = followups[(followups["called_at"] >= s) & (followups["called_at"] < e)
                       & followups["reached"].fillna(False).astype(bool)]
        vals["followup_positive_rate"] = ratio(
            fu["positive"].fillna(False).astype(bool).groupby(fu["supervisor_id"]).sum(),
            fu.groupby("supervisor_id").size())
        # customers
        base = customers[(customers["since"] < s) & (customers["churned_on"].isna() | (customers["churned_on"] >= s))]
        churned = (base["churned_on"] >= s) & (base["churned_on"] < e)
        vals["customer_churn_rate"] = ratio(churned.groupby(base["supervisor_id"]).sum(),
                                            base.groupby("supervisor_id").size())
        # audits, reviews, training
        au = audits[(audits["audited_on"] >= s) & (audits["audited_on"] < e)].groupby("supervisor_id")
        vals["compliance_rate"] = 1 - ratio(au["violations"].sum(), au["items_checked"].sum())
        rv = reviews[(reviews["reviewed_on"] >= s) & (reviews["reviewed_on"] < e)]
        vals["collaboration_score"] = rv.groupby("supervisor_id")["collaboration"].mean().reindex(sups)
        due = training[(training["due_on"] >= s) & (training["due_on"] < e)]
        vals["training_completion_rate"] = ratio(
            (due["completed_on"] <= due["due_on"]).groupby(due["supervisor_id"]).sum(),
            due.groupby("supervisor_id").size())
        done = training[(training["completed_on"] >= s) & (training["completed_on"] < e)
                        & training["pre_score"].notna() & training["post_score"].notna()]
        vals["skill_gain"] = (done["post_score"] - done["pre_score"]).groupby(done["supervisor_id"]).mean().reindex(sups)
        frame = pd.DataFrame(vals, index=sups).reset_index().melt(
            id_vars="supervisor_id", var_name="indicator", value_name="value")
        frame.insert(1, "period", p.id)
        out.append(frame)
    return pd.concat(out, ignore_index=True).sort_values(
        ["supervisor_id", "period", "indicator"]).reset_index(drop=True)


# --------------------------------------------------------------------------- driver


def _child(kind: str, folder: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _compare(folder: Path) -> tuple[int, float]:
    a = pd.read_parquet(folder.parent / f"{folder.name}_panel.parquet")[["supervisor_id", "period",
                                                                        "indicator", "value"]]
    b = pd.read_parquet(folder.parent / f"{folder.name}_pandas.parquet")
    m = a.merge(b, on=["supervisor_id", "period", "indicator"], suffixes=("_panel", "_pandas"))
    x, y = m["value_panel"].to_numpy(), m["value_pandas"].to_numpy()
    mismatched_nan = int((np.isnan(x) != np.isnan(y)).sum())
    ok = ~np.isnan(x) & ~np.isnan(y)
    worst = float(np.max(np.abs(x[ok] - y[ok]) / np.maximum(1, np.abs(x[ok])))) if ok.any() else 0.0
    return mismatched_nan, worst


def _print_ratio_a(panel: dict, a: dict, floor: dict) -> None:
    ratio_a = panel["wall_s"] / a["wall_s"]
    print(f"panel / (a) = {ratio_a:.2f}  (goal <= {GOAL_RATIO_A:.0f}): {'ok' if ratio_a <= GOAL_RATIO_A else 'MISSED'}")
    floor_a = floor["wall_s"] / a["wall_s"]
    if floor_a > GOAL_RATIO_A:
        print(f"  the floor alone is {floor_a:.2f} x (a): a panel computed by DuckDB from these files "
              f"cannot meet the goal here")
    print(f"panel / (floor) = {panel['wall_s'] / floor['wall_s']:.2f}  (the panel's own work beyond the floor)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=10_000_000)
    ap.add_argument("--supervisors", type=int, default=2000)
    ap.add_argument("--child", choices=["panel", "memory", "a", "join", "floor", "b"])
    ap.add_argument("--folder")
    ap.add_argument("--skip-memory", action="store_true", help="skip the in-memory (pandas -> Arrow) path")
    ap.add_argument("--quick", action="store_true", help="only the panel and baseline (a)")
    args = ap.parse_args(argv)
    if args.child:
        fn = {"panel": run_panel, "memory": run_memory, "a": run_baseline_a, "join": run_join,
              "floor": run_floor,               "b": run_baseline_b}[args.child]
        print(json.dumps(fn(Path(args.folder))))
        return 0
    folder = ensure_data(args.tickets, args.supervisors)
    print(f"data: {folder} ({args.tickets:,} tickets, {args.supervisors} supervisors, {START}..{END})")
    panel = _child("panel", folder)
    print(f"panel  (DuckDB on the Parquet files): {panel['wall_s']:.2f} s, peak {panel['peak_gb']:.2f} GB, "
          f"{panel['rows']:,} rows", flush=True)
    a = _child("a", folder)
    print(f"(a)    one DuckDB query:              {a['wall_s']:.2f} s, peak {a['peak_gb']:.2f} GB", flush=True)
    join = _child("join", folder)
    print(f"(join) surveys+follow-ups -> tickets: {join['wall_s']:.2f} s = {join['wall_s'] / a['wall_s']:.2f} x (a)",
          flush=True)
    floor = _child("floor", folder)
    print(f"(floor) ticket columns read once + attribution, nothing computed: {floor['wall_s']:.2f} s "
          f"= {floor['wall_s'] / a['wall_s']:.2f} x (a)", flush=True)
    if args.quick:
        _print_ratio_a(panel, a, floor)
        return 0
    b = _child("b", folder)
    print(f"(b)    pandas catalogue:              {b['wall_s']:.2f} s (read {b['read_s']:.2f} + compute "
          f"{b['compute_s']:.2f}), peak {b['peak_gb']:.2f} GB", flush=True)
    mem = None
    if not args.skip_memory:
        mem = _child("memory", folder)
        print(f"memory (pandas -> Arrow -> DuckDB):   load {mem['load_s']:.2f} s + compute "
              f"{mem['compute_s']:.2f} s, peak {mem['peak_gb']:.2f} GB", flush=True)
    nan_diff, worst = _compare(folder)
    print(f"panel vs pandas: {nan_diff} values missing in one only; largest relative difference {worst:.2e}")
    _print_ratio_a(panel, a, floor)
    ratio_b = panel["wall_s"] / b["wall_s"]
    print(f"panel / (b) = {ratio_b:.3f}  (goal < 1): {'ok' if ratio_b < 1 else 'MISSED'}")
    if mem:
        print(f"in-memory compute / (b) compute = {mem['compute_s'] / b['compute_s']:.3f}")
    print(f"panel peak memory {panel['peak_gb']:.2f} GB (goal <= {GOAL_GB:.0f}): "
          f"{'ok' if panel['peak_gb'] <= GOAL_GB else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
