"""Tests of the synthetic company (perfmodel.data.synth) and the sample data in data/sample/."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.data.schema import TABLES
from perfmodel.data.synth import TABLE_ORDER, generate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
HORIZON = pd.Timestamp("2026-10-01")  # end of 2026Q3, the last period of the sample
QUARTERS = ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]

# The effects the brief asks for, written out here rather than read from the module.
EXPECTED_EFFECTS = {
    ("training_completion_rate", "csat"): 0.8,
    ("compliance_rate", "csat"): 2.0,
    ("first_response_hours", "csat"): -0.02,
    ("staff_turnover_rate", "customer_churn_rate"): 0.15,
    ("timely_closure_rate", "complaint_resolution_rate"): 0.3,
    ("collaboration_score", "followup_positive_rate"): 0.04,
}
PROCESS = ["first_response_hours", "complaint_handling_hours", "timely_closure_rate",
           "backlog_ratio", "tickets_per_staff_day", "reopen_rate", "compliance_rate",
           "collaboration_score", "training_completion_rate", "skill_gain",
           "staff_turnover_rate", "promotion_rate"]
RESULT = ["csat", "followup_positive_rate", "complaint_resolution_rate", "customer_churn_rate",
          "cost_control_rate"]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return {name: _read(name) for name in TABLES}


# ---------------------------------------------------------------------------------------
# reproducibility

def test_sample_is_exactly_the_recorded_command(tmp_path):
    words = shlex.split((SAMPLE / "COMMAND.txt").read_text(encoding="utf-8").strip())
    assert words[:2] == ["perfmodel", "synth"]
    args = words[1:]
    args[args.index("--out") + 1] = str(tmp_path)
    assert main(args) == 0
    expected = sorted(p.name for p in SAMPLE.iterdir() if p.name != "COMMAND.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    for name in expected:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_other_seed_gives_other_data(tmp_path):
    generate(tmp_path / "a", seed=1, supervisors=4, start="2025Q1", end="2025Q2")
    generate(tmp_path / "b", seed=2, supervisors=4, start="2025Q1", end="2025Q2")
    assert (tmp_path / "a" / "tickets.csv").read_bytes() != (tmp_path / "b" / "tickets.csv").read_bytes()


# ---------------------------------------------------------------------------------------
# the data contract

def test_sample_loads_with_nothing_quarantined():
    from perfmodel import load_dataset

    data = load_dataset(SAMPLE)
    assert len(data.quarantine) == 0
    assert (data.account["rows_read"] == data.account["rows_used"]).all()
    assert set(data.tables) == set(TABLES)


def test_sample_keys_unique_and_foreign_keys_resolve(sample):
    for name, table in TABLES.items():
        df = sample[name]
        assert list(df.columns) == [c.name for c in table.columns], name
        assert not df.duplicated(list(table.key)).any(), name
        for col in table.required:
            assert (df[col] != "").all(), (name, col)
        for col, target in table.foreign.items():
            key = TABLES[target].key[0]
            assert df[col].isin(set(sample[target][key])).all(), (name, col)


def test_sample_formats_and_ranges(sample):
    ts = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    day = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for name, table in TABLES.items():
        df = sample[name]
        for col in table.columns:
            values = df[col.name][df[col.name] != ""]
            if col.kind == "timestamp":
                assert values.str.match(ts).all(), (name, col.name)
                if col.name != "due_at":  # a deadline may lie after the extraction
                    assert (pd.to_datetime(values) < HORIZON).all(), (name, col.name)
            elif col.kind == "date":
                assert values.str.match(day).all(), (name, col.name)
            elif col.kind == "bool":
                assert values.isin(["true", "false"]).all(), (name, col.name)
            elif col.kind == "float":
                x = values.astype(float)
                if col.min is not None:
                    assert (x >= col.min).all(), (name, col.name)
                if col.max is not None:
                    assert (x <= col.max).all(), (name, col.name)
    t = sample["tickets"]
    created = pd.to_datetime(t["created_at"])
    for later in ("first_response_at", "resolved_at"):
        x = pd.to_datetime(t[later].replace("", None))
        assert (x.isna() | (x >= created)).all()
    s = sample["staff"]
    hired = pd.to_datetime(s["hired_on"])
    for later in ("left_on", "promoted_on"):
        x = pd.to_datetime(s[later].replace("", None))
        assert (x.isna() | (x >= hired)).all()
    a = sample["audits"]
    assert (a["violations"].astype(float) <= a["items_checked"].astype(float)).all()
    assert sample["supervisors"]["name"].str.match(r"^[\u4e00-\u9fff]{2,3}$").all()
    assert sample["supervisors"]["region"].isin(["华东", "华北", "华南", "华中", "西南", "西北", "东北"]).all()


# ---------------------------------------------------------------------------------------
# realism

def test_sample_shape(sample):
    t = sample["tickets"]
    assert 60_000 <= len(t) <= 80_000
    assert sum(p.stat().st_size for p in SAMPLE.glob("*.csv")) <= 15 * 2**20
    created = pd.to_datetime(t["created_at"])
    quarter = pd.PeriodIndex(created, freq="Q").astype(str)
    per = pd.crosstab(t["supervisor_id"], quarter)
    assert list(per.columns) == QUARTERS
    assert (per.to_numpy() > 0).all()  # every supervisor has tickets in every period
    assert 0.28 <= len(sample["surveys"]) / len(t) <= 0.40
    assert 0.10 <= (t["is_complaint"] == "true").mean() <= 0.15
    assert 0 < (t["resolved_at"] == "").mean() < 0.05
    assert 0 < (t["first_response_at"] == "").mean() < 0.02
    assert 0.05 < (t["reopened"].astype(float) > 0).mean() < 0.10
    f = sample["followups"]
    assert (f.loc[f["reached"] == "false", "positive"] == "").all()
    assert (f.loc[f["reached"] == "true", "positive"] != "").all()
    assert set(sample["budgets"]["period"]) == set(QUARTERS)
    assert len(sample["budgets"]) == 30 * len(QUARTERS)
    # Spring Festival: February is the quietest month
    months = created.dt.month.value_counts()
    assert months.idxmin() == 2
    # heavy tail: the mean resolution time is well above the median
    hours = (pd.to_datetime(t["resolved_at"].replace("", None)) - created).dt.total_seconds() / 3600
    assert hours.mean() > 1.5 * hours.median()


# ---------------------------------------------------------------------------------------
# ground truth

def test_ground_truth_json_lists_every_pair():
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    assert doc["seed"] == 20261
    assert doc["parameters"]["supervisors"] == 30
    rows = {(r["process"], r["result"]): r for r in doc["effects"]}
    assert set(rows) == {(p, r) for p in PROCESS for r in RESULT}
    for key, row in rows.items():
        assert row["lag"] == 1
        assert row["coef"] == EXPECTED_EFFECTS.get(key, 0.0), key
        assert row["units"]


def test_null_world_has_every_coefficient_zero(tmp_path):
    out = generate(tmp_path, seed=3, supervisors=4, start="2025Q1", end="2025Q2", effects="zero")
    doc = json.loads(out["ground_truth"].read_text(encoding="utf-8"))
    assert len(doc["effects"]) == 60
    assert all(r["coef"] == 0 for r in doc["effects"])
    assert doc["parameters"]["effects"] == "zero"


def _realised_by_hand(folder: Path) -> pd.DataFrame:
    """Three process indicators computed from the files with pandas (SPEC §3)."""
    t = pd.read_csv(folder / "tickets.csv", parse_dates=["created_at", "resolved_at", "due_at"])
    t["period"] = t["created_at"].dt.to_period("Q").astype(str)
    due = t[t["due_at"].notna()]
    timely = (due["resolved_at"] <= due["due_at"]).groupby([due["supervisor_id"], due["period"]]).mean()
    tr = pd.read_csv(folder / "training.csv", parse_dates=["due_on", "completed_on"])
    st = pd.read_csv(folder / "staff.csv", parse_dates=["hired_on", "left_on"])
    tr = tr.merge(st[["staff_id", "supervisor_id"]], on="staff_id")
    tr["period"] = tr["due_on"].dt.to_period("Q").astype(str)
    done = (tr["completed_on"] <= tr["due_on"]).groupby([tr["supervisor_id"], tr["period"]]).mean()
    rows = []
    for q in sorted(t["period"].unique()):
        start, end = pd.Period(q, "Q").start_time, pd.Period(q, "Q").end_time.normalize() + pd.Timedelta(days=1)
        last = end - pd.Timedelta(days=1)
        for sup, g in st.groupby("supervisor_id"):
            def head(d):
                return ((g["hired_on"] <= d) & (g["left_on"].isna() | (g["left_on"] > d))).sum()
            left = ((g["left_on"] >= start) & (g["left_on"] < end)).sum()
            rows.append((sup, q, left / ((head(start) + head(last)) / 2)))
    turnover = pd.DataFrame(rows, columns=["supervisor_id", "period", "staff_turnover_rate"])
    out = turnover.set_index(["supervisor_id", "period"])
    out["timely_closure_rate"] = timely
    out["training_completion_rate"] = done
    return out.reset_index()


def test_realised_process_indicators_match_an_independent_computation(tmp_path):
    summary = generate(tmp_path, seed=5, supervisors=6)
    mine = _realised_by_hand(tmp_path)
    theirs = summary["realised"].merge(mine, on=["supervisor_id", "period"], suffixes=("", "_hand"))
    assert len(theirs) == 6 * 8
    for col in ("staff_turnover_rate", "timely_closure_rate", "training_completion_rate"):
        np.testing.assert_allclose(theirs[col], theirs[col + "_hand"], rtol=0, atol=1e-12, err_msg=col)


def test_realised_values_match_the_indicator_module():
    indicators = pytest.importorskip("perfmodel.indicators")
    panel = indicators.wide_panel(indicators.compute_indicators(SAMPLE))
    import tempfile

    from perfmodel.data.synth import generate as gen  # the sample's own realised values

    with tempfile.TemporaryDirectory() as tmp:
        summary = gen(tmp, seed=20261, supervisors=30)
    realised = summary["realised"]
    assert summary["clipped"] == 0  # the linear model is exact in the sample
    both = realised.merge(panel, on=["supervisor_id", "period"], suffixes=("", "_ind"))
    assert len(both) == 240
    for col in PROCESS + RESULT:
        np.testing.assert_allclose(both[col], both[col + "_ind"], rtol=1e-9, atol=1e-12, err_msg=col)


def _twoway_lag1(frame: pd.DataFrame, y: str, x: str) -> tuple[float, float]:
    """Lag-1 two-way fixed-effects slope of y on x and its cluster SE (supervisors with a
    complete series only, so the panel is balanced)."""
    wide_y = frame.pivot(index="supervisor_id", columns="period", values=y).to_numpy()[:, 1:]
    wide_x = frame.pivot(index="supervisor_id", columns="period", values=x).to_numpy()[:, :-1]
    complete = ~(np.isnan(wide_y).any(axis=1) | np.isnan(wide_x).any(axis=1))
    assert complete.mean() > 0.9  # empty denominators are rare
    wide_y, wide_x = wide_y[complete], wide_x[complete]

    def within(a):
        return a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean()

    yy, xx = within(wide_y), within(wide_x)
    b = (xx * yy).sum() / (xx * xx).sum()
    score = (xx * (yy - b * xx)).sum(axis=1)
    return b, np.sqrt((score ** 2).sum()) / (xx * xx).sum()


@pytest.fixture(scope="module")
def big_panels(tmp_path_factory):
    out = {}
    for effects in ("default", "zero"):
        folder = tmp_path_factory.mktemp(f"big_{effects}")
        out[effects] = generate(folder, seed=11, supervisors=300, tickets=300 * 150 * 8, effects=effects,
                                fmt="parquet")["realised"]
    return out


@pytest.mark.parametrize("process,result", sorted(EXPECTED_EFFECTS))
def test_true_effects_are_recovered(big_panels, process, result):
    b, se = _twoway_lag1(big_panels["default"], result, process)
    true = EXPECTED_EFFECTS[(process, result)]
    assert abs(b - true) < 4 * se, (b, se)
    assert abs(b) > 2 * se  # detectable with 300 supervisors


@pytest.mark.parametrize("process,result", [
    ("promotion_rate", "customer_churn_rate"), ("skill_gain", "csat"),
    ("backlog_ratio", "complaint_resolution_rate"), ("complaint_handling_hours", "csat"),
    ("reopen_rate", "csat"), ("tickets_per_staff_day", "customer_churn_rate"),
])
def test_null_effects_are_null(big_panels, process, result):
    b, se = _twoway_lag1(big_panels["default"], result, process)
    assert abs(b) < 4 * se, (b, se)


@pytest.mark.parametrize("process,result", sorted(EXPECTED_EFFECTS))
def test_null_world_has_no_effect(big_panels, process, result):
    b, se = _twoway_lag1(big_panels["zero"], result, process)
    assert abs(b) < 4 * se, (b, se)


# ---------------------------------------------------------------------------------------
# options and errors

def test_exact_ticket_total_months_and_parquet(tmp_path):
    summary = generate(tmp_path, seed=2, supervisors=3, start="2025-01", end="2025-03",
                       tickets=900, fmt="parquet")
    assert summary["rows"]["tickets"] == 900
    t = pd.read_parquet(tmp_path / "tickets.parquet")
    assert len(t) == 900 and t["ticket_id"].is_unique
    assert set(pd.read_parquet(tmp_path / "budgets.parquet")["period"]) == {"2025-01", "2025-02", "2025-03"}


@pytest.mark.parametrize("kwargs", [
    dict(supervisors=2, start="2025Q1", end="2025Q1"),
    dict(supervisors=2, start="2025Q1", end="2025Q2", tickets=1),
    dict(supervisors=4, start="2025-01", end="2025-06", fmt="parquet"),
    dict(supervisors=3, start="2023Q1", end="2024Q4", effects="zero", tickets=500),
])
def test_small_and_odd_configurations_load_cleanly(tmp_path, kwargs):
    from perfmodel import load_dataset

    summary = generate(tmp_path, seed=4, **kwargs)
    data = load_dataset(tmp_path)
    assert len(data.quarantine) == 0
    assert dict(zip(data.account["table"], data.account["rows_used"])) == summary["rows"]


def test_switching_format_leaves_one_file_per_table(tmp_path):
    generate(tmp_path, seed=1, supervisors=2, start="2025Q1", end="2025Q1")
    generate(tmp_path, seed=1, supervisors=2, start="2025Q1", end="2025Q1", fmt="parquet")
    assert not list(tmp_path.glob("*.csv"))
    assert len(list(tmp_path.glob("*.parquet"))) == len(TABLE_ORDER)


@pytest.mark.parametrize("args", [
    ["--effects", "some"], ["--start", "2026Q5"], ["--supervisors", "1"], ["--tickets", "0"],
    ["--format", "xls"], ["--start", "2026Q3", "--end", "2025Q1"],
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args):
    assert main(["synth", "--out", str(tmp_path / "x"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("perfmodel: error:") and "\n" not in err


def test_raters_of_known_leniency_are_recorded_and_recovered(tmp_path):
    from perfmodel.indicators import compute_indicators

    summary = generate(tmp_path, seed=3, supervisors=24, start="2025Q1", end="2025Q4", tickets=2000,
                       raters=6, rater_leniency=0.5, min_rated=6)
    truth = json.loads(summary["ground_truth"].read_text(encoding="utf-8"))["raters"]["manager_raters"]
    assert [r["rater_id"] for r in truth] == [f"M{i:02d}" for i in range(1, 7)]
    assert all(-0.5 <= r["leniency"] <= 0.5 for r in truth)
    ratings = pd.read_csv(tmp_path / "manager_ratings.csv", dtype={"supervisor_id": str})
    assert set(ratings["rater_id"]) == {r["rater_id"] for r in truth}
    per_period = ratings.assign(q=pd.PeriodIndex(ratings["rated_on"], freq="Q")).groupby(["q", "rater_id"])
    assert per_period["supervisor_id"].nunique().min() >= 6
    assert ratings["score"].between(1, 5).all()
    self_rows = pd.read_csv(tmp_path / "self_assessments.csv")
    assert len(self_rows) == 24 * 4 * 4  # every supervisor, period and item
    panel = compute_indicators(tmp_path, ["2025Q4"])
    effects = pd.DataFrame(panel.attrs["rater_effects"]).set_index("rater_id")["effect"]
    known = pd.Series({r["rater_id"]: r["leniency"] for r in truth})
    np.testing.assert_allclose(effects.to_numpy(), (known - known.mean()).reindex(effects.index).to_numpy(),
                               atol=0.1)


def test_new_tables_do_not_change_the_other_files(tmp_path):
    # the judgement tables come from their own random stream: the other tables are the
    # ones the same seed gave before they existed (data/sample's files)
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    generate(tmp_path, seed=20261, supervisors=30, start="2024Q4", end="2026Q3")
    for name in TABLE_ORDER:
        assert (tmp_path / f"{name}.csv").read_bytes() == (sample / f"{name}.csv").read_bytes(), name
