"""The SMART check (perfmodel lint)."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.data.dataset import Dataset
from perfmodel.scoring.policy import load_policy, policy_from_dict
from perfmodel.analysis.lint import lint

BASE = {
    "name": "t", "version": "1", "period": "quarter",
    "dimensions": {"result": 0.6, "process": 0.4},
    "indicators": {
        "csat": {"weight": 1.0, "rule": "linear", "floor": 3.8, "target": 4.4},
        "compliance_rate": {"weight": 0.5, "rule": "bands", "bands": [[0.98, 110], [0.95, 100], [0.9, 60]],
                            "relevance": "workflow compliance prevents complaints"},
        "reopen_rate": {"weight": 0.5, "rule": "gate", "target": 0.05},
    },
    "ratings": {"bands": {"A": 80, "B": 60, "C": 0}},
}


def policy(**top):
    data = copy.deepcopy(BASE)
    data.update(top)
    return policy_from_dict({k: v for k, v in data.items() if v is not None})


def panel(csat, compliance=None, reopen=None):
    n = len(csat)
    return pd.DataFrame({"supervisor_id": [f"S{i % 5}" for i in range(n)],
                         "period": [f"2025Q{i // 5 + 1}" for i in range(n)],
                         "csat": csat,
                         "compliance_rate": compliance if compliance is not None else [0.96] * n,
                         "reopen_rate": reopen if reopen is not None else [0.04] * 10 + [0.08] * (n - 10)})


def findings(df, letter):
    return df[df.letter == letter][["indicator", "severity"]].values.tolist()


def test_columns_and_time_bound():
    out = lint(policy=policy(period=None))
    assert list(out.columns) == ["indicator", "letter", "severity", "message"]
    assert findings(out, "T") == [["", "error"]]
    assert "period: quarter" in out[out.letter == "T"].message.iloc[0]
    assert findings(lint(policy=policy()), "T") == []


def test_specific_unknown_and_percentile():
    data = copy.deepcopy(BASE)
    data["indicators"]["customer_joy"] = {"dimension": "result", "weight": 0.0, "rule": "ratio", "target": 1}
    data["indicators"]["reopen_rate"] = {"weight": 0.5, "rule": "percentile", "relevance": "x"}
    pol = policy_from_dict(data, strict=False)
    assert pol.unknown_indicators == ("customer_joy",)
    out = lint(policy=pol)
    # policy order: reopen_rate comes before customer_joy
    assert findings(out, "S") == [["reopen_rate", "warning"], ["customer_joy", "error"]]


def test_without_data_m_and_a_are_warnings():
    out = lint(policy=policy())
    assert findings(out, "M") == [["", "warning"]] and findings(out, "A") == [["", "warning"]]
    # reopen_rate is a process indicator without a declared reason; nothing to test with
    assert findings(out, "R") == [["reopen_rate", "warning"]]
    assert (out.severity == "warning").all()


def test_measurable_tables_and_values():
    # compliance_rate needs audits; reopen_rate and csat need tickets (+ surveys)
    ds = Dataset(tables={"supervisors": pd.DataFrame(), "tickets": pd.DataFrame(), "surveys": pd.DataFrame()})
    p = panel([4.0] * 20)
    p["reopen_rate"] = np.nan
    out = lint(ds, policy(), panel=p)
    assert findings(out, "M") == [["compliance_rate", "error"], ["reopen_rate", "warning"]]
    msg = out[(out.letter == "M") & (out.indicator == "compliance_rate")].message.iloc[0]
    assert "table audits absent" in msg


def test_achievable_by_hand():
    # csat target 4.4 (higher is better): 20 supervisor-periods
    #  1 of 20 reach it -> 5 % < 10 %  -> error
    low = [4.5] + [4.0] * 19
    #  2 of 20 -> exactly 10 % -> fine (at least 10 %)
    edge_low = [4.4, 4.6] + [4.0] * 18
    # 18 of 20 -> 90 % -> fine (at most 90 %); 19 of 20 -> 95 % -> warning (no stretch)
    edge_high = [4.4] * 18 + [4.0] * 2
    high = [4.5] * 19 + [4.0]
    # compliance_rate bands: "reached" = the lowest band worth >= 100 points, threshold 0.95
    # 10 of 20 reach 0.95 -> fine.  reopen_rate gate 0.05 (lower): 10 of 20 at 0.04 -> fine
    comp = [0.99] * 5 + [0.95] * 5 + [0.93] * 10
    got = {name: findings(lint(policy=policy(), panel=panel(v, comp)), "A")
           for name, v in [("low", low), ("edge_low", edge_low), ("edge_high", edge_high), ("high", high)]}
    assert got == {"low": [["csat", "error"]], "edge_low": [], "edge_high": [], "high": [["csat", "warning"]]}
    msg = lint(policy=policy(), panel=panel(low, comp)).query("letter == 'A'").message.iloc[0]
    assert "5% of 20" in msg and "target 4.4 (rule linear)" in msg


def test_achievable_bands_and_lower_gate():
    # compliance_rate: only 1 of 20 at >= 0.95 -> 5 % -> error
    comp = [0.95] + [0.93] * 19
    # reopen_rate gate 0.05, lower is better: all 20 at 0.04 -> 100 % -> warning
    out = lint(policy=policy(), panel=panel([4.0] * 10 + [4.5] * 10, comp, [0.04] * 20))
    assert findings(out, "A") == [["compliance_rate", "error"], ["reopen_rate", "warning"]]


def test_achievable_needs_history():
    out = lint(policy=policy(), panel=panel([4.5] * 5, [0.99] * 5, [0.01] * 5))
    assert findings(out, "A") == [["csat", "warning"], ["compliance_rate", "warning"], ["reopen_rate", "warning"]]
    assert "only 5 supervisor-periods" in out.query("letter == 'A'").message.iloc[0]


@pytest.mark.parametrize("verdicts, expected", [
    (["no evidence", "contrary"], [["reopen_rate", "error"]]),
    (["no evidence", "predicts"], []),
    (["insufficient data"], [["reopen_rate", "warning"]]),
])
def test_relevant_from_validity(verdicts, expected):
    validity = pd.DataFrame({"process": ["reopen_rate"] * len(verdicts),
                             "result": ["csat"] * len(verdicts), "verdict": verdicts})
    out = lint(policy=policy(), panel=panel([4.0] * 10 + [4.5] * 10), validity=validity)
    assert findings(out, "R") == expected


def test_relevant_declared_reason_needs_no_test():
    data = copy.deepcopy(BASE)
    data["indicators"]["reopen_rate"]["relevance"] = "a reopened ticket is a failed fix"
    validity = pd.DataFrame({"process": ["reopen_rate"], "result": ["csat"], "verdict": ["no evidence"]})
    out = lint(policy=policy_from_dict(data), panel=panel([4.0] * 10 + [4.5] * 10), validity=validity)
    assert findings(out, "R") == []


def test_relevant_runs_predictive_validity_on_a_panel():
    # 8 supervisors x 6 quarters: reopen_rate strongly drives next quarter's csat (lower reopen ->
    # higher csat), so the fixed-effects test finds "predicts" and there is no R finding;
    # with csat unrelated to reopen_rate the verdict is not "predicts" -> an R error.
    rng = np.random.default_rng(7)
    rows = []
    for s in range(8):
        reopen = rng.uniform(0.0, 0.2, 6)
        for t in range(6):
            prev = reopen[t - 1] if t else 0.1
            rows.append({"supervisor_id": f"S{s}", "period": f"2025Q{t + 1}" if t < 4 else f"2026Q{t - 3}",
                         "csat": 4.6 - 5 * prev + rng.normal(0, 0.01), "compliance_rate": 0.96,
                         "reopen_rate": reopen[t]})
    p = pd.DataFrame(rows)
    out = lint(policy=policy(), panel=p)
    assert findings(out, "R") == []
    p["csat"] = rng.normal(4.2, 0.2, len(p))
    out = lint(policy=policy(), panel=p)
    assert findings(out, "R") == [["reopen_rate", "error"]]


def test_order_is_smart_then_policy():
    out = lint(policy=policy(period=None))
    assert "".join(dict.fromkeys(out.letter)) == "MART"


def test_cli_exit_codes(tmp_path, capsys):
    assert main(["lint", "--policy", "efficiency"]) == 0
    import yaml
    data = yaml.safe_load(load_policy("efficiency").to_yaml())
    del data["period"]
    path = tmp_path / "no_period.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["lint", "--policy", str(path), "--out", str(tmp_path / "f.csv")]) == 1
    out = capsys.readouterr().out
    assert "no period set" in out and "1 error" in out
    f = pd.read_csv(tmp_path / "f.csv", keep_default_na=False)
    assert f[f.letter == "T"].severity.tolist() == ["error"]
