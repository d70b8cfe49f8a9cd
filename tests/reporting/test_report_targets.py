"""How the report states each rule's target (indicator table of the quarterly page)."""
from __future__ import annotations

import pytest

from perfmodel.scoring.policy import IndicatorRule
from perfmodel.scoring.targets import target_text


def rule(indicator, rule, direction, **kw):
    return IndicatorRule(indicator=indicator, dimension="process", weight=1.0, rule=rule,
                         direction=direction, **kw)


@pytest.mark.parametrize("r, en, zh", [
    # 100 - 500·(x - 0.05): 5 points per percentage point above 5 %
    (rule("reopen_rate", "deduction", "lower", points=500, target=0.05),
     "≤ 5.0 %, −5 per +1 pt", "≤ 5.0 %，每超 1 个百分点扣 5 分"),
    # hours: 2 points per hour above 48 h
    (rule("complaint_handling_hours", "deduction", "lower", points=2, target=48),
     "≤ 48.0 h, −2 per +1 h", "≤ 48.0 h，每超 1 小时扣 2 分"),
    # no target: counted from 0; a higher-is-better score loses points below it
    (rule("collaboration_score", "deduction", "higher", points=10),
     "≥ 0.00, −10 per −1", "≥ 0.00，每低 1 扣 10 分"),
    (rule("csat", "linear", "higher", floor=3.8, target=4.3), "≥ 4.30", "≥ 4.30"),
    (rule("timely_closure_rate", "bands", "higher", bands=((0.9, 100), (0.8, 80))), "≥ 90.0 %", "≥ 90.0 %"),
])
def test_target_text(r, en, zh):
    assert target_text(r, lang="en") == en
    assert target_text(r, lang="zh") == zh
