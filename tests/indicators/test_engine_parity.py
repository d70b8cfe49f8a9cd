"""The whole catalogue gives the same numbers on DuckDB and on Spark.

The dataset is random but fixed (seed), moderately rich, and full of the cases where
engines tend to differ: timestamps exactly on period bounds, fractions of a second,
nulls in every optional column, unresolved and reopened tickets, an even number of
response times (median = mean of the two middle values), staff joining and leaving
mid-period, Chinese ids and names.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel.core import catalogue
from perfmodel.data.dataset import Dataset
from perfmodel.indicators import compute_indicators

pytestmark = pytest.mark.spark

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def rich_dataset(seed: int = 7, n_tickets: int = 4000) -> Dataset:
    rng = np.random.default_rng(seed)
    sup_ids = [f"S{i:02d}" for i in range(1, 8)] + ["主管八", "主管九"]  # the last has no data
    supervisors = pd.DataFrame({"supervisor_id": sup_ids, "name": [f"主管{i}号" for i in range(len(sup_ids))],
                                "team": ["华东"] * len(sup_ids), "region": [None] * len(sup_ids)})
    active = sup_ids[:-1]
    start = pd.Timestamp("2025-10-01")
    span_s = int((pd.Timestamp("2026-10-01") - start).total_seconds())
    created = start + pd.to_timedelta(rng.integers(0, span_s, n_tickets), unit="s")
    # a few on exact period bounds, a few with fractions of a second
    created = created.to_numpy().copy()
    bounds = pd.to_datetime(["2026-01-01", "2026-04-01", "2026-07-01", "2026-02-01", "2026-09-01"]).to_numpy()
    created[:50] = bounds[rng.integers(0, len(bounds), 50)]
    created[50:300] = created[50:300] + pd.to_timedelta(rng.integers(1, 999_999, 250), unit="us").to_numpy()
    created = pd.DatetimeIndex(created)

    def after(hours_scale, p_missing):
        delta = pd.to_timedelta(rng.exponential(hours_scale, n_tickets) * 3600e6, unit="us")
        out = pd.Series(created + delta)
        out[rng.random(n_tickets) < p_missing] = pd.NaT
        return out

    first_response = after(5, 0.1)
    resolved = after(60, 0.08)
    # some resolutions exactly on a period bound
    idx = np.flatnonzero(resolved.notna().to_numpy())[:40]
    resolved.iloc[idx] = pd.Timestamp("2026-07-01")
    resolved = resolved.where(resolved.isna() | (resolved >= pd.Series(created)), pd.Series(created))
    due = pd.Series(created + pd.to_timedelta(rng.choice([24, 48, 72], n_tickets), unit="h"))
    due[rng.random(n_tickets) < 0.2] = pd.NaT
    tickets = pd.DataFrame({
        "ticket_id": [f"T{i:05d}" for i in range(n_tickets)],
        "supervisor_id": rng.choice(active, n_tickets),
        "created_at": created,
        "staff_id": None, "customer_id": None,
        "first_response_at": first_response.to_numpy(),
        "resolved_at": resolved.to_numpy(),
        "due_at": due.to_numpy(),
        "is_complaint": pd.array(np.where(rng.random(n_tickets) < 0.05, pd.NA,
                                          rng.random(n_tickets) < 0.25), dtype="boolean"),
        "reopened": np.where(rng.random(n_tickets) < 0.1, np.nan, rng.poisson(0.15, n_tickets)).astype(float),
        "cost": np.where(rng.random(n_tickets) < 0.05, np.nan, np.round(rng.gamma(2, 120, n_tickets), 2)),
    })
    tickets["staff_id"] = tickets["staff_id"].astype(object)
    tickets["customer_id"] = tickets["customer_id"].astype(object)

    surveyed = tickets.sample(frac=0.35, random_state=seed)
    n = len(surveyed)

    def scores(p_missing):
        s = rng.integers(1, 6, n).astype(float)
        s[rng.random(n) < p_missing] = np.nan
        return s

    surveys = pd.DataFrame({
        "ticket_id": surveyed["ticket_id"].to_numpy(),
        "responded_at": (surveyed["created_at"] + pd.to_timedelta(rng.exponential(72, n), unit="h")).to_numpy(),
        "overall": scores(0), "attitude": scores(0.1), "resolution": scores(0.1), "speed": scores(0.1),
    })
    called = tickets.sample(frac=0.3, random_state=seed + 1)
    m = len(called)
    followups = pd.DataFrame({
        "ticket_id": called["ticket_id"].to_numpy(),
        "called_at": (called["created_at"] + pd.to_timedelta(rng.integers(1, 20 * 86400, m), unit="s")).to_numpy(),
        "reached": pd.array(rng.random(m) < 0.8, dtype="boolean"),
        "positive": pd.array(np.where(rng.random(m) < 0.1, pd.NA, rng.random(m) < 0.7), dtype="boolean"),
    })
    n_cust = 600
    since = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 1000, n_cust), unit="D")
    churn = pd.Series(since + pd.to_timedelta(rng.integers(0, 500, n_cust), unit="D"))
    churn[rng.random(n_cust) < 0.6] = pd.NaT
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n_cust)],
                              "supervisor_id": rng.choice(active, n_cust), "since": since,
                              "churned_on": churn.to_numpy()})
    n_staff = 80
    hired = pd.Timestamp("2024-06-01") + pd.to_timedelta(rng.integers(0, 800, n_staff), unit="D")
    left = pd.Series(hired + pd.to_timedelta(rng.integers(1, 500, n_staff), unit="D"))
    left[rng.random(n_staff) < 0.5] = pd.NaT
    promoted = pd.Series(hired + pd.to_timedelta(rng.integers(30, 400, n_staff), unit="D"))
    promoted[rng.random(n_staff) < 0.7] = pd.NaT
    staff = pd.DataFrame({"staff_id": [f"A{i}" for i in range(n_staff)],
                          "supervisor_id": rng.choice(active, n_staff), "hired_on": hired,
                          "left_on": left.to_numpy(), "promoted_on": promoted.to_numpy()})
    n_tr = 300
    due_on = pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 420, n_tr), unit="D")
    done = pd.Series(due_on + pd.to_timedelta(rng.integers(-30, 30, n_tr), unit="D"))
    done[rng.random(n_tr) < 0.2] = pd.NaT
    training = pd.DataFrame({"staff_id": rng.choice(staff["staff_id"], n_tr),
                             "course_id": [f"K{i}" for i in range(n_tr)], "due_on": due_on,
                             "completed_on": done.to_numpy(),
                             "pre_score": np.where(rng.random(n_tr) < 0.1, np.nan, rng.integers(30, 80, n_tr)),
                             "post_score": np.where(rng.random(n_tr) < 0.1, np.nan, rng.integers(50, 100, n_tr))})
    audit_days = pd.Timestamp("2025-10-01") + pd.to_timedelta(np.arange(0, 365, 9), unit="D")
    audits = pd.DataFrame([(s, d) for s in active for d in audit_days[rng.random(len(audit_days)) < 0.5]],
                          columns=["supervisor_id", "audited_on"])
    audits["items_checked"] = rng.integers(10, 60, len(audits)).astype(float)
    audits["violations"] = np.minimum(rng.poisson(2, len(audits)), audits["items_checked"]).astype(float)
    review_days = pd.Timestamp("2025-10-01") + pd.to_timedelta(np.arange(0, 365, 30), unit="D")
    # three reviewers who review most supervisors (unbalanced, so the leniency correction
    # changes the means)
    peer_reviews = pd.DataFrame([(s, f"R{r}", d) for j, s in enumerate(active) for r in range(3)
                                 for i, d in enumerate(review_days) if (i + j + r) % 4],
                                columns=["supervisor_id", "reviewer_id", "reviewed_on"])
    peer_reviews["collaboration"] = rng.integers(1, 6, len(peer_reviews)).astype(float)
    quarters = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    budgets = pd.DataFrame([(s, q) for s in active for q in quarters], columns=["supervisor_id", "period"])
    budgets["budget"] = np.round(rng.uniform(5000, 40000, len(budgets)), 2)
    budgets.loc[0, "budget"] = 0.0
    # manager ratings: five raters rotating over the supervisors (the leniency correction
    # applies), several items each, a few on period bounds; self-assessments
    rating_days = pd.Timestamp("2025-10-15") + pd.to_timedelta(np.arange(0, 365, 45), unit="D")
    manager_ratings = pd.DataFrame([(f"M{r}", s, d, item) for i, d in enumerate(rating_days)
                                    for j, s in enumerate(active) for r in range(5) if (i + j + r) % 3 == 0
                                    for item in ("执行力", "团队管理")],
                                   columns=["rater_id", "supervisor_id", "rated_on", "item"])
    manager_ratings.loc[:3, "rated_on"] = pd.Timestamp("2026-04-01")
    manager_ratings["score"] = rng.integers(1, 6, len(manager_ratings)).astype(float)
    self_assessments = pd.DataFrame([(s, d, item) for s in active for d in rating_days
                                     for item in ("执行力", "团队管理")],
                                    columns=["supervisor_id", "assessed_on", "item"])
    self_assessments["score"] = rng.integers(1, 6, len(self_assessments)).astype(float)
    return Dataset(tables={"supervisors": supervisors, "tickets": tickets, "surveys": surveys,
                           "followups": followups, "customers": customers, "staff": staff,
                           "training": training, "audits": audits, "peer_reviews": peer_reviews,
                           "budgets": budgets, "manager_ratings": manager_ratings,
                           "self_assessments": self_assessments})


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a[["supervisor_id", "period", "indicator"]].equals(b[["supervisor_id", "period", "indicator"]])
    assert a["available"].equals(b["available"])
    for col in ("value", "numerator", "denominator"):
        x, y = a[col].to_numpy(), b[col].to_numpy()
        assert np.array_equal(np.isnan(x), np.isnan(y)), f"{col}: missing in one engine only"
        ok = ~np.isnan(x)
        diff = np.abs(x[ok] - y[ok])
        scale = np.maximum(1.0, np.abs(x[ok]))
        worst = np.argmax(diff / scale) if diff.size else None
        assert diff.size == 0 or (diff / scale).max() <= 1e-9, (
            f"{col}: {a.loc[ok].iloc[worst][['supervisor_id', 'period', 'indicator']].tolist()} "
            f"duckdb {x[ok][worst]!r} spark {y[ok][worst]!r}")


@pytest.fixture(scope="module")
def rich():
    return rich_dataset()


QUARTERS = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_quarters_all_periods(spark, rich):
    # the tickets' four quarters; other events (churn since 2024, leavers until 2027) would
    # widen the default periods to mostly empty quarters
    duck = compute_indicators(rich, QUARTERS, engine="duckdb")
    sp = compute_indicators(rich, QUARTERS, engine="spark")
    assert sorted(duck.period.unique()) == QUARTERS
    assert set(duck.indicator) == set(catalogue.indicator_ids())
    # the comparison is not vacuous: most values are present
    assert duck["value"].notna().mean() > 0.8
    assert_same(duck, sp)
    # ... and the leniency correction was applied (corrected differs from raw) on both engines
    assert duck.attrs["leniency"] == sp.attrs["leniency"]
    assert any(r["applied"] for r in duck.attrs["leniency"] if r["indicator"] == "manager_rating")
    assert any(r["applied"] for r in duck.attrs["leniency"] if r["indicator"] == "collaboration_score")
    wide = duck.pivot_table(index=["supervisor_id", "period"], columns="indicator", values="value")
    assert (wide["manager_rating"] - wide["manager_rating_raw"]).abs().max() > 0.01
    assert (wide["collaboration_score"] - wide["collaboration_score_raw"]).abs().max() > 0.01


def test_months(spark, rich):
    periods = ["2026-01", "2026-03", "2026-07", "2026-09"]  # not contiguous on purpose
    duck = compute_indicators(rich, periods, engine="duckdb")
    sp = compute_indicators(rich, periods, engine="spark")
    assert sorted(duck.period.unique()) == periods
    assert_same(duck, sp)


def test_absent_tables(spark, rich):
    only = Dataset(tables={k: rich.tables[k] for k in ("supervisors", "tickets", "staff")})
    duck = compute_indicators(only, "2026Q2", engine="duckdb")
    sp = compute_indicators(only, "2026Q2", engine="spark")
    assert (~duck["available"]).sum() > 0
    assert_same(duck, sp)


@pytest.mark.skipif(not (SAMPLE / "tickets.csv").exists() and not (SAMPLE / "tickets.parquet").exists(),
                    reason="data/sample is not there")
def test_sample_dataset(spark):
    from perfmodel import load_dataset

    ds = load_dataset(SAMPLE)
    assert_same(compute_indicators(ds, engine="duckdb"), compute_indicators(ds, engine="spark"))


def test_trusted_parquet_path(spark, rich, tmp_path):
    for name, frame in rich.tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    in_memory = compute_indicators(rich, "2026Q1", engine="duckdb")
    assert any(r["applied"] for r in in_memory.attrs["leniency"])
    assert_same(in_memory, compute_indicators(tmp_path, "2026Q1", engine="duckdb", trusted=True))
    assert_same(in_memory, compute_indicators(tmp_path, "2026Q1", engine="spark", trusted=True))


def test_business_hours_around_national_day_to_the_last_bit(spark, tmp_path):
    # The hand-worked weeks of test_business_hours (a lunch team beside the default hours,
    # holidays, make-up days, open tickets): business time is whole microseconds on both
    # engines, so the two agree exactly, not within a tolerance.
    from perfmodel import load_dataset
    from test_business_hours import BUSINESS, _folder  # same folder of tests

    ds = load_dataset(_folder(tmp_path))
    params = {"timely_closure_business_rate": {"within_hours": 4}}
    duck = compute_indicators(ds, ["2026-09", "2026-10"], engine="duckdb", indicators=BUSINESS, parameters=params)
    sp = compute_indicators(ds, ["2026-09", "2026-10"], engine="spark", indicators=BUSINESS, parameters=params)
    assert duck["value"].notna().sum() >= 10
    pd.testing.assert_frame_equal(duck, sp, check_exact=True)
