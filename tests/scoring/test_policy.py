"""Policy model: loading, validation messages, presets, to_yaml, with_weights."""
from __future__ import annotations

import copy
import hashlib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import yaml

from perfmodel.core import catalogue as cat
from perfmodel.cli import main
from perfmodel.core.errors import PolicyError
from perfmodel.scoring.policy import RULES, load_policy, policy_from_dict, policy_from_text, presets
from perfmodel.scoring.scores import score

HERE = Path(__file__).parents[1] / "fixtures" / "policies"

BASE = {
    "name": "t", "version": "1", "period": "quarter",
    "dimensions": {"result": 0.6, "process": 0.4},
    "indicators": {
        "csat": {"dimension": "result", "weight": 0.5, "rule": "linear", "floor": 3.8, "target": 4.6},
        "complaint_resolution_rate": {"dimension": "result", "weight": 0.5, "rule": "ratio", "target": 0.8},
        "compliance_rate": {"dimension": "process", "weight": 1.0, "rule": "bands",
                            "bands": [[0.98, 100], [0.95, 80]]},
    },
    "ratings": {"bands": {"S": 90, "A": 80, "B": 70, "C": 60, "D": 0}},
}


def variant(**changes):
    """BASE with changes given as dotted key paths (value None deletes the key)."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        keys = path.split("__")
        node = data
        for k in keys[:-1]:
            node = node[k]
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return data


# --- the broken policy corpus ----------------------------------------------------------------

BROKEN = {
    "weights_not_summing.yaml":
        "weights_not_summing.yaml: indicators.csat.weight: weights in dimension 'result' sum to 0.95, not 1; "
        "make them sum to 1",
    "negative_weight.yaml":
        "negative_weight.yaml: indicators.complaint_resolution_rate.weight: negative weight -0.2; "
        "weights must be 0 or more",
    "unknown_indicator.yaml":
        "unknown_indicator.yaml: indicators.customer_happiness: unknown indicator;",
    "floor_equals_target.yaml":
        "floor_equals_target.yaml: indicators.csat.floor: floor equals target (4.6);",
    "bands_out_of_order.yaml":
        "bands_out_of_order.yaml: indicators.compliance_rate.bands[1]: bands out of order: threshold 0.95 "
        "after 0.9;",
    "unknown_rule.yaml":
        "unknown_rule.yaml: indicators.complaint_resolution_rate.rule: unknown rule 'sigmoid'; use one of "
        "ratio, linear, bands, gate, deduction, percentile",
    "missing_target.yaml":
        "missing_target.yaml: indicators.complaint_resolution_rate.target: missing; rule 'ratio' needs target",
    "quotas_not_summing.yaml":
        "quotas_not_summing.yaml: ratings.forced_distribution.S: quotas sum to 1.05, not 1; make them sum to 1",
    "bad_yaml.yaml":
        "bad_yaml.yaml: line 10, column 18: not valid YAML",
    "duplicate_key.yaml":
        "duplicate_key.yaml: line 11, column 3: duplicate key 'csat'; keep only one",
    "formula_injection.yaml":
        "formula_injection.yaml: line 2, column 7: could not determine a constructor for the tag",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_policy_one_line_message(name):
    with pytest.raises(PolicyError) as err:
        load_policy(HERE / name)
    msg = str(err.value)
    assert "\n" not in msg
    assert BROKEN[name] in msg


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_policy_exits_2_through_cli(name, capsys):
    assert main(["policy", "check", str(HERE / name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert BROKEN[name] in err


@pytest.mark.parametrize("name", sorted(set(BROKEN) - {"unknown_indicator.yaml"}))
def test_broken_policy_exits_2_through_lint(name, capsys):
    assert main(["lint", "--policy", str(HERE / name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and BROKEN[name] in err


def test_unknown_indicator_is_a_specific_error_in_lint(capsys):
    # lint reads leniently so that SMART "Specific" can report it: a check failure, exit 1
    assert main(["lint", "--policy", str(HERE / "unknown_indicator.yaml")]) == 1
    out = capsys.readouterr().out
    assert "customer_happiness" in out and " S " in out and "error" in out


def test_unknown_preset(capsys):
    with pytest.raises(PolicyError) as err:
        load_policy("efficency")
    msg = str(err.value)
    assert "efficency" in msg and "did you mean 'efficiency'" in msg
    assert "efficiency, quality" in msg
    assert main(["lint", "--policy", "efficency"]) == 2
    assert main(["score", "--data", "nowhere", "--policy", "nosuch", "--period", "2026Q3"]) == 2
    err = capsys.readouterr().err
    assert "no such file or preset" in err and "Traceback" not in err


def test_missing_policy_file():
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(HERE / "does_not_exist.yaml")


@pytest.mark.parametrize("changes, fragment", [
    ({"dimensions": {"result": 0.7, "process": 0.4}},
     "dimensions.result: dimension weights sum to 1.1, not 1"),
    ({"dimensions": {"result": 0.6, "process": 0.4, "team": 0}}, "dimensions.team: unknown dimension"),
    ({"indicators__csat__cap": 90}, "indicators.csat.cap: cap 90 is below 100"),
    ({"indicators__compliance_rate__bands": [[0.98, 130], [0.95, 80]]},
     "indicators.compliance_rate.bands[0]: score 130 is above the cap 120"),
    ({"indicators__compliance_rate__bands": [[0.98, 80], [0.95, 100]]},
     "indicators.compliance_rate.bands[1]: bands out of order: score 100 after 80"),
    ({"indicators__compliance_rate__bands": [[0.98, 100], 0.95]},
     "indicators.compliance_rate.bands[1]: 0.95 is not a [threshold, score] pair"),
    ({"version": 2026.1}, 'version: 2026.1 is not text; write a non-empty string (quote it'),
    ({"weights": 1}, "weights: unknown key; use one of name, version"),
    ({"name": None}, "name: missing"),
    ({"indicators__csat__wieght": 0.5}, "indicators.csat.wieght: unknown key"),
    ({"indicators__csat__weight": "half"}, "indicators.csat.weight: 'half' is not a number"),
    ({"indicators__csat__weight": True}, "indicators.csat.weight: True is not a number"),
    ({"indicators__csat__floor": 5.0}, "indicators.csat.floor: floor 5 is above target 4.6 but higher is better"),
    ({"indicators__complaint_resolution_rate__target": 0},
     "indicators.complaint_resolution_rate.target: ratio target must be greater than 0"),
    ({"indicators__complaint_resolution_rate__floor": 0.5},
     "indicators.complaint_resolution_rate.floor: not used by rule 'ratio'"),
    ({"indicators__csat__rule": None}, "indicators.csat.rule: missing"),
    ({"indicators__csat__dimension": "team"}, "indicators.csat.dimension: 'team' is not allowed"),
    ({"indicators__compliance_rate__rule": "deduction", "indicators__compliance_rate__bands": None,
      "indicators__compliance_rate__points": 100},
     "indicators.compliance_rate.target: missing; a deduction on a higher-is-better indicator"),
    ({"indicators__compliance_rate__rule": "deduction", "indicators__compliance_rate__bands": None,
      "indicators__compliance_rate__points": -3, "indicators__compliance_rate__target": 1},
     "indicators.compliance_rate.points: must be greater than 0"),
    ({"indicators__cost_per_ticket": {"weight": 0, "rule": "percentile"}},
     "indicators.cost_per_ticket.dimension: missing; write dimension: result or dimension: process"),
    ({"dimensions": {"result": 1.0}}, "indicators.compliance_rate.dimension: dimension 'process' has no weight"),
    ({"missing": "skip"}, "missing: 'skip' is not allowed; use one of renormalize, zero, fail"),
    ({"period": "week"}, "period: 'week' is not allowed; use one of quarter, month"),
    ({"ratings__bands": {"S": 90, "A": 95, "D": 0}}, "ratings.bands.A: bands out of order"),
    ({"ratings__bands": {"S": 90, "A": 80}}, "ratings.bands.A: the lowest threshold is 80; set it to 0"),
    ({"ratings__forced_distribution": {"S": 0.5, "X": 0.5}}, "ratings.forced_distribution.X: unknown rating"),
    ({"ratings__forced_distribution": {"S": 0.5, "A": 0.5}}, "ratings.forced_distribution.B: missing"),
    ({"indicators": {}}, "indicators: no indicators"),
    ({"indicators__csat": 3}, "indicators.csat: is a int, not a mapping"),
])
def test_validation_messages(changes, fragment):
    with pytest.raises(PolicyError) as err:
        policy_from_dict(variant(**changes), source="p.yaml")
    assert fragment in str(err.value)
    assert str(err.value).startswith("p.yaml: ") and "\n" not in str(err.value)


def test_empty_and_non_mapping_text():
    with pytest.raises(PolicyError, match="the policy is empty"):
        policy_from_text("", source="p.yaml")
    with pytest.raises(PolicyError, match="must be a mapping"):
        policy_from_text("- a\n- b\n", source="p.yaml")


def test_direction_override_changes_validation_and_scoring():
    # skill_gain is higher-is-better in the catalogue; a policy may declare it lower
    data = variant(**{"indicators__compliance_rate": {"dimension": "process", "weight": 1.0,
                                                      "rule": "linear", "floor": 0.9, "target": 0.98}})
    data["indicators"]["compliance_rate"]["direction"] = "lower"
    with pytest.raises(PolicyError, match="floor 0.9 is below target 0.98 but lower is better"):
        policy_from_dict(data)
    data["indicators"]["compliance_rate"].update(floor=0.98, target=0.9)
    pol = policy_from_dict(data)
    assert pol.indicators["compliance_rate"].direction == "lower"
    assert pol.indicators["compliance_rate"].to_dict()["direction"] == "lower"
    # x = 0.94: (0.94-0.98)/(0.90-0.98)*100 = 50
    panel = pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"], "csat": [4.2],
                          "complaint_resolution_rate": [0.8], "compliance_rate": [0.94]})
    assert score(panel, pol).loc[0, "score_compliance_rate"] == pytest.approx(50)


# --- presets ---------------------------------------------------------------------------------

def test_presets_listed():
    assert presets() == ["efficiency", "quality"]


@pytest.mark.parametrize("name, result, process", [("efficiency", 0.65, 0.35), ("quality", 0.55, 0.45)])
def test_presets_weights_and_coverage(name, result, process):
    pol = load_policy(name)
    assert pol.dimensions == {"result": result, "process": process}
    assert pol.phase == name and pol.period == "quarter"
    weighted = set(cat.ids_of("result")) | set(cat.ids_of("process"))
    # the business-hours indicators replace their calendar-hours twins in a policy that wants them
    weighted -= {i for i in weighted if cat.indicator(i).get("alternative_to")}
    assert set(pol.indicators) == weighted
    assert not set(pol.indicators) & set(cat.ids_of("diagnostic"))
    for ind, r in pol.indicators.items():
        assert r.dimension == cat.dimension(ind) and r.direction == cat.direction(ind)
        assert r.weight > 0
        if r.dimension == "process":
            assert r.relevance  # every process indicator says why it matters
    for dim in ("result", "process"):
        assert sum(pol.indicators[i].weight for i in pol.of_dimension(dim)) == pytest.approx(1, abs=1e-9)


def test_presets_use_every_rule_and_sensible_targets():
    rules = {r.rule for name in presets() for r in load_policy(name).indicators.values()}
    assert rules == set(RULES)
    eff = load_policy("efficiency").indicators
    assert eff["complaint_resolution_rate"].rule == "ratio" and eff["complaint_resolution_rate"].target == 0.80
    assert eff["csat"].rule == "linear" and eff["csat"].floor == 3.8
    assert eff["first_response_hours"].direction == "lower"
    assert eff["compliance_rate"].rule == "bands"


def test_preset_text_and_sha256():
    pol = load_policy("quality")
    text = resources.files("perfmodel.scoring").joinpath("policies", "quality.yaml").read_text(encoding="utf-8")
    assert pol.text == text
    assert pol.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert pol.source == "preset quality"


def test_file_text_kept_byte_for_byte(tmp_path):
    src = (HERE / "valid_minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "方案.yaml"
    path.write_bytes(src.encode("utf-8"))
    pol = load_policy(path)
    assert pol.text == src and pol.sha256 == hashlib.sha256(src.encode("utf-8")).hexdigest()
    assert pol.name == "最小方案" and pol.ratings == ["优", "良", "中", "差"]
    # dimension and direction come from the catalogue when not written
    assert pol.indicators["csat"].dimension == "result"
    assert pol.indicators["compliance_rate"].dimension == "process"
    assert pol.missing == "renormalize" and pol.phase == "custom"


def test_load_policy_accepts_policy_and_str_path():
    pol = load_policy("efficiency")
    assert load_policy(pol) is pol
    assert load_policy(str(HERE / "valid_minimal.yaml")).name == "最小方案"


# --- writing back ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["efficiency", "quality"])
def test_to_yaml_round_trip(name):
    pol = load_policy(name)
    again = policy_from_text(pol.to_yaml())
    assert again.to_dict() == pol.to_dict()
    # and the YAML is plain data
    assert yaml.safe_load(pol.to_yaml())["dimensions"] == pol.dimensions


def test_with_weights():
    pol = load_policy("efficiency")
    new = pol.with_weights(dimensions={"result": 0.6, "process": 0.4},
                           indicators={"csat": 0.25, "complaint_resolution_rate": 0.30},
                           version="2026.2", note="AHP workshop 2026-10")
    assert new.dimensions == {"result": 0.6, "process": 0.4}
    assert new.indicators["csat"].weight == 0.25 and new.indicators["complaint_resolution_rate"].weight == 0.30
    assert new.version == "2026.2" and new.note == "AHP workshop 2026-10"
    assert new.text == new.to_yaml() and new.sha256 == hashlib.sha256(new.text.encode()).hexdigest()
    assert new.sha256 != pol.sha256
    assert pol.indicators["csat"].weight == 0.30  # the original is unchanged
    # everything else is kept
    assert new.indicators["compliance_rate"] == pol.indicators["compliance_rate"]


def test_with_weights_validates():
    pol = load_policy("efficiency")
    with pytest.raises(PolicyError, match="weights in dimension 'result' sum to 1.05, not 1"):
        pol.with_weights(indicators={"csat": 0.35})
    with pytest.raises(PolicyError, match="indicators.cost_per_ticket: not in this policy"):
        pol.with_weights(indicators={"cost_per_ticket": 0.1})
    with pytest.raises(PolicyError, match="negative weight"):
        pol.with_weights(indicators={"csat": -0.1, "complaint_resolution_rate": 0.65})


def test_with_weights_normalize():
    pol = load_policy("efficiency")
    # result weights 3, 2.5, 2, 1.5, 1 (sum 10) -> 0.30, 0.25, 0.20, 0.15, 0.10; dims 13:7 -> 0.65:0.35
    new = pol.with_weights(dimensions={"result": 13, "process": 7},
                           indicators={"csat": 3, "complaint_resolution_rate": 2.5, "cost_control_rate": 2,
                                       "followup_positive_rate": 1.5, "customer_churn_rate": 1},
                           normalize=True)
    assert new.dimensions["result"] == pytest.approx(0.65)
    assert new.indicators["csat"].weight == pytest.approx(0.30)
    assert new.indicators["customer_churn_rate"].weight == pytest.approx(0.10)


def test_summary_rows():
    s = load_policy("efficiency").summary()
    assert list(s.columns[:6]) == ["indicator", "dimension", "weight", "effective_weight", "rule", "direction"]
    row = s.set_index("indicator").loc["csat"]
    # effective weight = 0.30 * 0.65 = 0.195
    assert row.effective_weight == pytest.approx(0.195)
    assert s.effective_weight.sum() == pytest.approx(1)


def test_policy_check_command_prints_indicators(capsys):
    assert main(["policy", "check", "efficiency"]) == 0
    out = capsys.readouterr().out
    assert "is valid" in out and "complaint_resolution_rate" in out


def test_with_weights_partial_dimensions():
    pol = load_policy("efficiency")
    # only result given: process keeps 0.35 -> 0.6 + 0.35 = 0.95
    with pytest.raises(PolicyError, match="dimension weights sum to 0.95, not 1"):
        pol.with_weights(dimensions={"result": 0.6})
    assert pol.with_weights(dimensions={"result": 0.6, "process": 0.4}).dimensions["process"] == 0.4


def test_policy_show_prints_the_stored_text(tmp_path, capsys):
    assert main(["policy", "show", "quality"]) == 0
    text = capsys.readouterr().out
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_policy(path).sha256 == load_policy("quality").sha256
    assert main(["policy", "show", str(HERE / "bad_yaml.yaml")]) == 2


def test_provenance_block_is_kept_as_data_and_written_back():
    text = resources.files("perfmodel.scoring").joinpath("policies/efficiency.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["provenance"] = {"method": "ahp", "consistency_ratio": 0.04, "inputs": [{"file": "pairwise.csv"}]}
    policy = policy_from_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert policy.provenance["method"] == "ahp"
    again = policy_from_text(policy.to_yaml())
    assert again.provenance == data["provenance"]
    assert again.weighted_indicators == policy.weighted_indicators
