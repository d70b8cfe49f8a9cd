"""Adjustments from the review meeting: applied after scoring and quotas, refused in one line, worked by hand."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from perfmodel.scoring.adjustments import apply_adjustments, quota_breaks, read_adjustments
from perfmodel.cli import main
from perfmodel.core.errors import DataError
from perfmodel.scoring.policy import policy_from_dict
from perfmodel.scoring.scores import score

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
HEADER = "supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\n"
REASON = "大客户投诉经复核非本人责任"


def policy(forced=None):
    # one indicator scored 0..100 by linear floor 0 / target 100: the score is the value itself
    return policy_from_dict({"name": "t", "version": "1", "period": "quarter", "dimensions": {"result": 1.0},
                             "missing": "renormalize",
                             "indicators": {"csat": {"dimension": "result", "weight": 1, "rule": "linear",
                                                     "floor": 0, "target": 100}},
                             "ratings": {"bands": {"A": 80, "B": 60, "C": 0}, "forced_distribution": forced}})


# bands A >= 80, B >= 60: S1 95 A, S2 85 A, S3 75 B, S4 65 B, S5 55 C
PANEL = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"], "period": "2026Q3",
                      "csat": [95, 85, 75, 65, 55]})


def write(tmp_path, body: str, *, encoding="utf-8", name="adjustments.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def test_application_by_hand(tmp_path):
    adj = write(tmp_path, f"S3,2026Q3,B,A,{REASON},王总监,2026-10-12\nS5,2026Q3,C,B,\"late data, fixed\",HR Li,2026/10/13\n")
    out = apply_adjustments(score(PANEL, policy()), adj, policy())
    assert out["rating_computed"].tolist() == ["A", "A", "B", "B", "C"]
    assert out["rating"].tolist() == ["A", "A", "A", "B", "B"]
    assert out["adjustment_reason"].tolist() == ["", "", REASON, "", "late data, fixed"]
    assert out["adjustment_approved_by"].tolist() == ["", "", "王总监", "", "HR Li"]
    assert out["adjustment_approved_on"].tolist() == ["", "", "2026-10-12", "", "2026-10-13"]
    cols = list(out.columns)
    assert cols[cols.index("rating_computed") + 1] == "rating"
    assert cols[cols.index("rating") + 1:cols.index("rating") + 4] == [
        "adjustment_reason", "adjustment_approved_by", "adjustment_approved_on"]
    # the scores themselves do not move
    assert out["score"].tolist() == [95, 85, 75, 65, 55]


def test_adjustments_break_quotas_by_hand(tmp_path):
    # quotas 20/60/20 of 5 = 1/3/1: S1 A; S2, S3, S4 B; S5 C. Moving S2 from B to A gives A 2
    # against a quota of 1 (+1) and B 2 against 3 (-1); C keeps its count (not listed).
    pol = policy({"A": 0.2, "B": 0.6, "C": 0.2})
    scored = score(PANEL, pol)
    assert scored["rating"].tolist() == ["A", "B", "B", "B", "C"]
    out = apply_adjustments(scored, write(tmp_path, "S2,2026Q3,B,A,客户表扬,王总监,2026-10-12\n"), pol)
    breaks = quota_breaks(out, pol)
    assert breaks.to_dict("records") == [
        {"group": "all", "rating": "A", "quota": 1, "final": 2, "difference": 1},
        {"group": "all", "rating": "B", "quota": 3, "final": 2, "difference": -1}]
    assert quota_breaks(score(PANEL, policy()), policy()) is None


@pytest.mark.parametrize("body, message", [
    ("S3,2026Q3,A,S,r,王总监,2026-10-12\n",
     r"row 2: to_rating 'S' is not a rating of the policy; use one of A, B, C"),
    ("S3,2026Q3,A,B,r,王总监,2026-10-12\n",
     r"row 2: from_rating is A but the computed rating of S3 in 2026Q3 is B"),
    ("S3,2026Q3,B,A,,王总监,2026-10-12\n", r"row 2: reason is empty; write why"),
    ("S3,2026Q3,B,A,  ,王总监,2026-10-12\n", r"row 2: reason is empty"),
    ("S3,2026Q3,B,A,r,,2026-10-12\n", r"row 2: approved_by is empty; write who approved"),
    ("S9,2026Q3,B,A,r,王总监,2026-10-12\n", r"row 2: supervisor 'S9' has no score in this run"),
    ("S3,2026Q2,B,A,r,王总监,2026-10-12\n", r"row 2: period '2026Q2' is not scored in this run \(2026Q3\)"),
    ("S3,2026Q3,B,A,r,王总监,2026-10-12\nS4,2026Q3,B,C,r,王总监,2026-10-12\nS3,2026Q3,B,C,r,王总监,2026-10-12\n",
     r"row 4 repeats supervisor S3, period 2026Q3 \(row 2\)"),
    ("S3,2026Q3,B,B,r,王总监,2026-10-12\n", r"row 2: to_rating equals from_rating"),
    ("S3,2026Q3,B,A,r,王总监,next week\n", r"row 2: approved_on 'next week' is not a date"),
])
def test_each_refusal_is_one_line(tmp_path, body, message):
    adj = write(tmp_path, body)
    with pytest.raises(DataError, match=message) as err:
        apply_adjustments(score(PANEL, policy()), adj, policy())
    assert "\n" not in str(err.value) and str(err.value).startswith("adjustments.csv: ")


def test_missing_column_and_file(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text("supervisor_id,period,from_rating,to_rating,reason\nS3,2026Q3,B,A,r\n", encoding="utf-8")
    with pytest.raises(DataError, match="column 'approved_by' is missing"):
        read_adjustments(bad)
    with pytest.raises(DataError, match="no such adjustments file"):
        read_adjustments(tmp_path / "nowhere.csv")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-8"])
def test_chinese_reason_round_trips(tmp_path, encoding):
    adj = write(tmp_path, f"S3,2026Q3,B,A,{REASON}（经理复核）,王总监,2026-10-12\n", encoding=encoding)
    read = read_adjustments(adj)
    assert read.table["reason"].tolist() == [f"{REASON}（经理复核）"]
    assert read.table["approved_by"].tolist() == ["王总监"]
    out = tmp_path / "scores.csv"
    from perfmodel.data.exports import write_table

    write_table(apply_adjustments(score(PANEL, policy()), read, policy()), out)
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back.loc[back["supervisor_id"] == "S3", "adjustment_reason"].item() == f"{REASON}（经理复核）"


def test_score_command_refuses_in_one_line_exit_2(tmp_path, capsys):
    scores = tmp_path / "plain.csv"
    assert main(["score", "--data", str(SAMPLE), "--policy", "efficiency", "--period", "2026Q3",
                 "--out", str(scores)]) == 0
    plain = pd.read_csv(scores, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    first = plain.iloc[0]
    other = next(label for label in ("S", "A", "B", "C", "D") if label != first["rating"])
    wrong = write(tmp_path, f"{first['supervisor_id']},2026Q3,{other},{first['rating']},r,王总监,2026-10-12\n",
                  name="wrong.csv")
    capsys.readouterr()
    assert main(["score", "--data", str(SAMPLE), "--policy", "efficiency", "--period", "2026Q3",
                 "--adjustments", str(wrong)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"from_rating is {other} but the computed rating" in err[0]
    good = write(tmp_path, f"{first['supervisor_id']},2026Q3,{first['rating']},{other},{REASON},王总监,2026-10-12\n",
                 encoding="gb18030", name="good.csv")
    out = tmp_path / "adjusted.csv"
    assert main(["score", "--data", str(SAMPLE), "--policy", "efficiency", "--period", "2026Q3",
                 "--adjustments", str(good), "--out", str(out)]) == 0
    adjusted = pd.read_csv(out, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert (adjusted["rating_computed"] == plain["rating"]).all()
    changed = adjusted[adjusted["rating"] != adjusted["rating_computed"]]
    assert changed["supervisor_id"].tolist() == [first["supervisor_id"]]
    assert changed["rating"].item() == other and changed["adjustment_reason"].item() == REASON


def test_out_over_the_adjustments_file_is_refused(tmp_path, capsys):
    adj = write(tmp_path, f"S3,2026Q3,B,A,{REASON},王总监,2026-10-12\n")
    before = adj.read_bytes()
    assert main(["score", "--data", str(SAMPLE), "--policy", "efficiency", "--period", "2026Q3",
                 "--adjustments", str(adj), "--out", str(adj)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert adj.read_bytes() == before


@pytest.mark.parametrize("extra, message", [
    (["--notebook", "validity", "--period", "2026Q3"], "--adjustments: for --notebook quarterly or feedback"),
    (["--notebook", "feedback", "--as-of", "2026-08-15"], "--adjustments: a period in progress (--as-of)"),
    (["--period", "2026Q3", "--pseudonymize", "--salt-file", "SALT"], "not with --pseudonymize"),
])
def test_report_refuses_adjustments_where_no_final_rating_is_published(tmp_path, capsys, extra, message):
    adj = write(tmp_path, f"S3,2026Q3,B,A,{REASON},王总监,2026-10-12\n")
    extra = [str(tmp_path / "salt") if a == "SALT" else a for a in extra]
    assert main(["report", "--data", str(SAMPLE), "--out", str(tmp_path / "reports"), "--adjustments", str(adj),
                 *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "reports" / "2026Q3").exists()


def test_report_refuses_a_bad_adjustments_file_before_any_run(tmp_path, capsys):
    adj = write(tmp_path, "S3,2026Q3,B,A,,王总监,2026-10-12\n")
    assert main(["report", "--period", "2026Q3", "--data", str(SAMPLE), "--out", str(tmp_path / "reports"),
                 "--adjustments", str(adj)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "adjustments.csv: row 2: reason is empty" in err[0]
    assert not (tmp_path / "reports" / "2026Q3").exists()


def test_quarterly_page_says_how_far_the_adjustments_break_the_quotas(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from perfmodel.reporting import sections

    shown = []
    monkeypatch.setattr("perfmodel.reporting.display._display", lambda *objs: shown.extend(
        getattr(o, "data", str(o)) for o in objs))
    pol = policy({"A": 0.2, "B": 0.6, "C": 0.2})
    adj = read_adjustments(write(tmp_path, "S2,2026Q3,B,A,客户表扬,王总监,2026-10-12\n"))
    scores = apply_adjustments(score(PANEL, pol), adj, pol)
    ctx = SimpleNamespace(policy=pol, scores=scores, supervisors=pd.DataFrame({"supervisor_id": PANEL.supervisor_id}),
                          lang="en", cache={"adjustments_sha256": adj.sha256})
    sections.show_adjustments(ctx)
    page = "\n".join(shown)
    assert f"1 ratings were changed at the review meeting (adjustments file, sha256 {adj.sha256[:12]}" in page
    assert "break the forced distribution's quotas by 1 places" in page
    assert "+1" in page and "-1" in page
