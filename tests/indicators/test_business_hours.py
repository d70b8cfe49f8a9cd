"""Business-hours indicators on hand-made weeks around China's 2026 National Day.

The official calendar (chinesecalendar) for those weeks:

    Sep 11 Fri  work          Sep 12-13 weekend
    Sep 19 Sat  off           Sep 20 Sun  make-up working day (调休)
    Sep 25 Fri  Mid-Autumn    Sep 26-27 weekend
    Oct 1-7     National Day  Oct 8-9 work
    Oct 10 Sat  make-up working day          Oct 11 Sun off

Default working hours 09:00-18:00 (9 h a day, no break); team 华东 has a lunch break
12:00-13:00. Every expected value below is worked out by hand in its comment.
"""
from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel import load_dataset
from perfmodel.core.errors import DataError, PerfmodelWarning, PolicyError
from perfmodel.indicators import compute_indicators, indicator_parameters
from perfmodel.data.workcalendar import WorkCalendar, load_calendar, parse_calendar

CALENDAR = """\
hours: {start: "09:00", end: "18:00"}
teams:
  华东: {lunch: ["12:00", "13:00"]}
"""

BUSINESS = ["first_response_business_hours", "complaint_handling_business_hours",
            "timely_closure_business_rate"]

# supervisor, team, created_at, first_response_at (= resolved_at), business hours by hand
CASES = [
    # opened outside hours: Wed 20:30, answered Thu 10:15 -> the clock starts Thu 09:00: 1.25 h
    ("S_outside", "华南", "2026-09-16 20:30", "2026-09-17 10:15", 1.25),
    # over a weekend: Fri 17:30 -> Mon 10:00: 0.5 h Friday + 1 h Monday = 1.5 h
    ("S_weekend", "华南", "2026-09-11 17:30", "2026-09-14 10:00", 1.5),
    # over the holiday: Wed 30 Sep 16:00 -> Thu 8 Oct 11:00: 2 h + 2 h = 4 h (calendar: 187 h)
    ("S_holiday", "华南", "2026-09-30 16:00", "2026-10-08 11:00", 4.0),
    # Mid-Autumn: Thu 24 Sep 17:00 -> Mon 28 Sep 09:30: 1 h + (Fri holiday, weekend) + 0.5 h
    ("S_midautumn", "华南", "2026-09-24 17:00", "2026-09-28 09:30", 1.5),
    # across the lunch break (team 华东): 11:30 -> 13:30: 0.5 h + 0.5 h = 1 h
    ("S_lunch", "华东", "2026-09-16 11:30", "2026-09-16 13:30", 1.0),
    # opened on Saturday 19 Sep (off), answered on the make-up Sunday 20 Sep 10:30: 1.5 h
    ("S_makeup_sun", "华南", "2026-09-19 10:00", "2026-09-20 10:30", 1.5),
    # Fri 9 Oct 17:00 -> Mon 12 Oct 09:30 over the make-up Saturday 10 Oct:
    # 1 h + 9 h (Saturday, a full working day) + 0.5 h = 10.5 h
    ("S_makeup_sat", "华南", "2026-10-09 17:00", "2026-10-12 09:30", 10.5),
]

# One supervisor's tickets for timely closure in September 2026 (within N business hours).
TIMELY = [
    # created, resolved, business hours from creation to resolution / to end of September
    ("2026-09-16 20:30", "2026-09-17 10:15"),  # 1.25 h
    ("2026-09-18 17:30", "2026-09-21 12:00"),  # 0.5 + 9 (make-up Sunday) + 3 = 12.5 h
    ("2026-09-30 16:00", "2026-10-08 11:00"),  # open at end of Sep after 2 h
    ("2026-09-29 09:00", None),                # open at end of Sep after 9 + 9 = 18 h
    ("2026-09-24 17:00", "2026-09-28 09:30"),  # 1.5 h
]


def _folder(tmp_path: Path, calendar: str | None = CALENDAR) -> Path:
    sups = [(s, f"主管{i}", team) for i, (s, team, *_rest) in enumerate(CASES)] + [("S_timely", "主管T", "华南")]
    supervisors = pd.DataFrame(sups, columns=["supervisor_id", "name", "team"])
    rows = [(f"T{i}", s, c, r, r, "true") for i, (s, _team, c, r, _h) in enumerate(CASES)]
    rows += [(f"X{i}", "S_timely", c, r, r, "false") for i, (c, r) in enumerate(TIMELY)]
    tickets = pd.DataFrame(rows, columns=["ticket_id", "supervisor_id", "created_at", "first_response_at",
                                          "resolved_at", "is_complaint"])
    supervisors.to_csv(tmp_path / "supervisors.csv", index=False)
    tickets.to_csv(tmp_path / "tickets.csv", index=False)
    if calendar is not None:
        (tmp_path / "calendar.yaml").write_text(calendar, encoding="utf-8")
    return tmp_path


def _values(long: pd.DataFrame, indicator: str, period: str) -> pd.Series:
    rows = long[(long["indicator"] == indicator) & (long["period"] == period)]
    return rows.set_index("supervisor_id")["value"]


@pytest.fixture
def folder(tmp_path):
    return _folder(tmp_path)


def test_first_response_in_business_hours_by_hand(folder):
    long = compute_indicators(load_dataset(folder), ["2026-09", "2026-10"], indicators=BUSINESS)
    for sup, _team, created, _r, hours in CASES:
        period = created[:7]
        got = _values(long, "first_response_business_hours", period)[sup]
        assert got == pytest.approx(hours, abs=1e-12), sup


def test_complaint_handling_counts_in_the_period_of_resolution(folder):
    long = compute_indicators(load_dataset(folder), ["2026-09", "2026-10"], indicators=BUSINESS)
    sept = _values(long, "complaint_handling_business_hours", "2026-09")
    octo = _values(long, "complaint_handling_business_hours", "2026-10")
    # the holiday ticket is resolved on 8 Oct: a complaint of October, 4 business hours
    assert octo["S_holiday"] == pytest.approx(4.0)
    assert np.isnan(sept["S_holiday"])
    assert sept["S_lunch"] == pytest.approx(1.0)
    assert octo["S_makeup_sat"] == pytest.approx(10.5)


def test_calendar_hours_are_unchanged_beside_them(folder):
    long = compute_indicators(load_dataset(folder), "2026-09", indicators=["first_response_hours"])
    # 30 Sep 16:00 -> 8 Oct 11:00 is 7 days and 19 hours on the wall clock
    assert _values(long, "first_response_hours", "2026-09")["S_holiday"] == pytest.approx(7 * 24 + 19)


@pytest.mark.parametrize("n, numerator, denominator", [
    # N = 4: 1.25 and 1.5 in time; 12.5 late; the 18 h open one late; the 2 h open one left out
    (4, 2, 4),
    # N = 1: nothing in time; the 2 h open one has passed N too, so it counts as late
    (1, 0, 5),
    # N = 16 (the default): 1.25, 12.5, 1.5 in time; 18 h open late; 2 h open left out
    (None, 3, 4),
])
def test_timely_closure_within_n_business_hours(folder, n, numerator, denominator):
    params = None if n is None else {"timely_closure_business_rate": {"within_hours": n}}
    long = compute_indicators(load_dataset(folder), "2026-09", indicators=BUSINESS, parameters=params)
    row = long[(long["indicator"] == "timely_closure_business_rate") & (long["supervisor_id"] == "S_timely")]
    assert row["numerator"].item() == numerator
    assert row["denominator"].item() == denominator
    assert row["value"].item() == pytest.approx(numerator / denominator)


def test_trusted_parquet_path_uses_the_folder_calendar(folder, tmp_path_factory):
    ds = load_dataset(folder)
    pq = tmp_path_factory.mktemp("pq")
    for name, frame in ds.tables.items():
        frame.to_parquet(pq / f"{name}.parquet", index=False)
    (pq / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    got = compute_indicators(pq, "2026-09", indicators=BUSINESS, trusted=True)
    want = compute_indicators(ds, "2026-09", indicators=BUSINESS)
    pd.testing.assert_frame_equal(got, want)
    assert _values(got, "first_response_business_hours", "2026-09")["S_lunch"] == pytest.approx(1.0)


def test_without_a_calendar_file_every_team_works_nine_to_six(tmp_path):
    ds = load_dataset(_folder(tmp_path, calendar=None))
    long = compute_indicators(ds, "2026-09", indicators=BUSINESS)
    # no lunch break: 11:30 -> 13:30 is 2 business hours
    assert _values(long, "first_response_business_hours", "2026-09")["S_lunch"] == pytest.approx(2.0)


def test_2027_runs_monday_to_friday_with_one_warning():
    cal = WorkCalendar()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        days = cal.working_days(date(2026, 12, 31), date(2027, 1, 4))
    # Thu 31 Dec 2026 work; Fri 1 Jan 2027 work (no official list); Sat, Sun off; Mon work
    assert days.tolist() == [True, True, False, False, True]
    assert len(caught) == 1 and issubclass(caught[0].category, PerfmodelWarning)
    assert "2027" in str(caught[0].message) and "holidays" in str(caught[0].message)


def test_2027_days_listed_in_calendar_yaml_are_used_without_warning():
    cal = parse_calendar({"holidays": ["2027-01-01"], "make_up_days": ["2027-01-02"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        days = cal.working_days(date(2027, 1, 1), date(2027, 1, 4))
    assert days.tolist() == [False, True, False, True]


@pytest.mark.parametrize("text, where", [
    ("hours: {start: '9am'}\n", "hours.start: '9am' is not a time of day"),
    ("hours: {start: '18:00', end: '09:00'}\n", "hours.end: the working day ends before it starts"),
    ("teams:\n  华东: {lunch: ['13:00', '12:00']}\n", "teams.华东.lunch"),
    ("holidays: [2027-13-01]\n", "holidays: '2027-13-01' is not a date"),
    ("weekends: [sat]\n", "weekends: unknown key"),
    ("hours: [09:00\n", "not valid YAML"),
])
def test_a_bad_calendar_is_one_line_naming_the_key(tmp_path, text, where):
    (tmp_path / "calendar.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_calendar(tmp_path)
    assert where in str(err.value)
    assert "calendar.yaml" in str(err.value) and "\n" not in str(err.value)


def test_a_bad_calendar_exits_2_with_one_line(tmp_path):
    folder = _folder(tmp_path, calendar="hours: {start: '25:00'}\n")
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.run([sys.executable, "-m", "perfmodel", "indicators", "--data", str(folder),
                           "--period", "2026-09", "--out", str(tmp_path / "out.csv")],
                          capture_output=True, text=True, env={**env, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "hours.start: '25:00' is not a time of day" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_policy_sets_n_and_only_for_timely_closure():
    from perfmodel.scoring.policy import policy_from_text as load_policy

    base = "name: p\nversion: '1'\nperiod: month\ndimensions: {result: 0, process: 1}\n" \
           "ratings: {bands: {A: 80, D: 0}}\nindicators:\n"
    pol = load_policy(base + "  timely_closure_business_rate: {weight: 1, rule: ratio, target: 0.9, "
                             "within_hours: 8}\n")
    assert indicator_parameters(pol) == {"timely_closure_business_rate": {"within_hours": 8.0}}
    assert "within_hours: 8" in pol.to_yaml()
    with pytest.raises(PolicyError, match="within_hours"):
        load_policy(base + "  timely_closure_rate: {weight: 1, rule: ratio, target: 0.9, within_hours: 8}\n")


def test_a_database_carries_its_calendar_in_a_table(folder, tmp_path):
    """A DuckDB file with the same tables and a calendar table gives the folder's figures."""
    import duckdb

    path = tmp_path / "helpdesk.duckdb"
    con = duckdb.connect(str(path))
    for name in ("supervisors", "tickets"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder / (name + '.csv')}', all_varchar=true)")
    con.execute("CREATE TABLE calendar (yaml VARCHAR)")
    con.execute("INSERT INTO calendar VALUES (?)", [CALENDAR])
    con.close()
    got = compute_indicators(load_dataset(path), "2026-09", indicators=BUSINESS)
    want = compute_indicators(load_dataset(folder), "2026-09", indicators=BUSINESS)
    pd.testing.assert_frame_equal(got, want)
    assert _values(got, "first_response_business_hours", "2026-09")["S_lunch"] == pytest.approx(1.0)


def test_calendar_yaml_is_an_input_of_the_manifest(folder):
    from perfmodel.audit.manifest import hash_inputs

    before = {i["path"]: i["sha256"] for i in hash_inputs(folder)}
    assert "calendar.yaml" in before
    (folder / "calendar.yaml").write_text(CALENDAR + "holidays: [2027-01-01]\n", encoding="utf-8")
    after = {i["path"]: i["sha256"] for i in hash_inputs(folder)}
    assert after["calendar.yaml"] != before["calendar.yaml"]


def test_a_policy_switches_to_business_hours(tmp_path):
    """The switch shown in docs/indicators.md: weight the twins instead; scores follow them."""
    from perfmodel.pipeline import run_pipeline
    from perfmodel.scoring.policy import policy_from_text, read_policy_text

    text, _src = read_policy_text("efficiency")
    lines = text.splitlines()
    out, skip = [], False
    for line in lines:
        if line.strip() in ("first_response_hours:", "timely_closure_rate:"):
            twin = {"first_response_hours:": "first_response_business_hours:",
                    "timely_closure_rate:": "timely_closure_business_rate:"}[line.strip()]
            out.append(line.replace(line.strip(), twin))
            skip = line.strip() == "timely_closure_rate:"
            continue
        out.append(line)
        if skip and line.strip().startswith("target:"):
            out.append(line.replace(line.strip(), "within_hours: 16"))
            skip = False
    pol = policy_from_text("\n".join(out) + "\n", source="business.yaml")
    assert "first_response_business_hours" in pol.indicators and "first_response_hours" not in pol.indicators
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    res = run_pipeline(sample, pol, period="2026Q3")
    scores = res.scores.set_index("supervisor_id")
    panel = res.panel[(res.panel["period"] == "2026Q3")]
    fr = panel[panel["indicator"] == "first_response_business_hours"].set_index("supervisor_id")["value"]
    rule = pol.indicators["first_response_business_hours"]
    # linear, lower is better: 100 * (floor - x) / (floor - target), clipped to [0, cap]
    want = np.clip(100 * (rule.floor - fr) / (rule.floor - rule.target), 0, rule.cap)
    got = scores["score_first_response_business_hours"].reindex(want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)


def test_business_median_is_the_exact_mean_of_the_two_middle_times(tmp_path):
    # Two responses on Wednesday 16 Sep 2026, 1 s and 2 s after a 10:00 creation: the median
    # is 1.5 s = 1.5 / 3600 h. The value must be that fraction correctly rounded to a double
    # (from whole microseconds), not the mean of two hours already rounded.
    from fractions import Fraction

    pd.DataFrame({"supervisor_id": ["S1"], "name": ["主管"]}).to_csv(tmp_path / "supervisors.csv", index=False)
    pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
                  "created_at": ["2026-09-16 10:00:00", "2026-09-16 10:00:00"],
                  "first_response_at": ["2026-09-16 10:00:01", "2026-09-16 10:00:02"]}
                 ).to_csv(tmp_path / "tickets.csv", index=False)
    long = compute_indicators(load_dataset(tmp_path), "2026-09", indicators=["first_response_business_hours"])
    exact = float(Fraction(1_000_000 + 2_000_000, 2 * 3_600_000_000))
    assert exact == 0.0004166666666666667
    assert _values(long, "first_response_business_hours", "2026-09")["S1"] == exact


def test_timely_closure_counts_match_a_ticket_by_ticket_count(tmp_path):
    # The cube decides "resolved before the end of the creation period" per cube row; the
    # same counts ticket by ticket, by hand: N = 4 business hours, September 2026.
    # created, resolved -> in time / late / left out
    rows = [
        ("2026-09-16 10:00", "2026-09-16 12:00"),  # 2 h, in time
        ("2026-09-16 10:00", "2026-09-17 10:00"),  # 9 h, late
        ("2026-09-30 10:00", "2026-10-08 10:00"),  # open at end of Sep after 8 h: late
        ("2026-09-30 16:00", "2026-10-09 10:00"),  # open at end of Sep after 2 h: left out
        ("2026-09-30 17:00", None),                # open after 1 h: left out
        ("2026-09-29 09:00", None),                # open after 18 h: late
        ("2026-08-31 17:00", "2026-09-01 10:00"),  # created in August: not counted in September
    ]
    pd.DataFrame({"supervisor_id": ["S1"], "name": ["主管"]}).to_csv(tmp_path / "supervisors.csv", index=False)
    pd.DataFrame({"ticket_id": [f"T{i}" for i in range(len(rows))], "supervisor_id": "S1",
                  "created_at": [c for c, _ in rows], "resolved_at": [r for _, r in rows]}
                 ).to_csv(tmp_path / "tickets.csv", index=False)
    long = compute_indicators(load_dataset(tmp_path), ["2026-08", "2026-09"], indicators=BUSINESS,
                              parameters={"timely_closure_business_rate": {"within_hours": 4}})
    row = long[(long["indicator"] == "timely_closure_business_rate") & (long["period"] == "2026-09")]
    assert (row["numerator"].item(), row["denominator"].item()) == (1, 4)
    # August: the one ticket was resolved in September, after 1 + 1 = 2 business hours but
    # after the end of August, where it had been open 1 h (< N): left out
    aug = long[(long["indicator"] == "timely_closure_business_rate") & (long["period"] == "2026-08")]
    assert (aug["numerator"].item(), aug["denominator"].item()) == (0, 0)
