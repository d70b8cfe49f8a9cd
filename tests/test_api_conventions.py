"""entity, time and lang are keyword-only; old positional calls work for one version and warn."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from perfmodel.analysis import profiling
from perfmodel.analysis.stats import panel_regression, predictive_validity, reliability

KEYWORD_ONLY = {
    panel_regression: ("entity", "time"),
    reliability: ("entity", "time"),
    predictive_validity: ("entity", "time"),
    profiling.funnel: ("entity",),
    profiling.shrink_rates: ("entity",),
    profiling.funnel_plot: ("lang",),
}


@pytest.mark.parametrize("fn", list(KEYWORD_ONLY), ids=lambda f: f.__name__)
def test_signature_is_keyword_only(fn):
    params = inspect.signature(fn).parameters
    for name in KEYWORD_ONLY[fn]:
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, (fn.__name__, name)


def _long():
    # y = 2 x + supervisor effect + noise, 40 supervisors x 4 periods
    rng = np.random.default_rng(0)
    sup = np.repeat([f"S{i:02d}" for i in range(40)], 4)
    t = np.tile(["2026Q1", "2026Q2", "2026Q3", "2026Q4"], 40)
    x = rng.normal(size=160)
    y = 2 * x + np.repeat(rng.normal(size=40), 4) + rng.normal(scale=0.1, size=160)
    return pd.DataFrame({"sup": sup, "t": t, "x": x, "y": y})


def test_positional_entity_time_still_work_with_a_warning():
    df = _long()
    new = panel_regression(df, "y", "x", entity="sup", time="t")
    with pytest.warns(DeprecationWarning, match=r"panel_regression\(\): pass entity, time by keyword"):
        old = panel_regression(df, "y", "x", "sup", "t")
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(DeprecationWarning, match="effects"):
        two = panel_regression(df, "y", "x", "sup", "t", "twoway")
    pd.testing.assert_frame_equal(two, panel_regression(df, "y", "x", entity="sup", time="t", effects="twoway"))
    assert new["coef"].iloc[0] == pytest.approx(2.0, abs=0.05)


def test_keyword_calls_do_not_warn():
    df = _long()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        panel_regression(df, "y", "x", entity="sup", time="t")
        reliability(df.rename(columns={"y": "csat"}), ["csat"], entity="sup", time="t")


def test_reliability_positional_and_errors():
    df = _long().rename(columns={"y": "csat"})
    with pytest.warns(DeprecationWarning, match="reliability"):
        old = reliability(df, ["csat"], "sup", "t")
    pd.testing.assert_frame_equal(old, reliability(df, ["csat"], entity="sup", time="t"))
    with pytest.raises(TypeError, match="multiple values for argument 'entity'"):
        reliability(df, ["csat"], "sup", entity="sup")
    with pytest.raises(TypeError, match="positional arguments"):
        reliability(df, ["csat"], "sup", "t", "extra")


def test_target_text_lang_keyword_only():
    from perfmodel.scoring.policy import IndicatorRule
    from perfmodel.scoring.targets import target_text

    r = IndicatorRule("tickets_per_staff_day", "process", 1.0, "percentile", "higher")
    assert target_text(r, lang="zh") == "第 50 百分位"
    with pytest.warns(DeprecationWarning, match="lang"):
        assert target_text(r, "zh") == "第 50 百分位"


def test_few_clusters_warning_points_at_the_caller():
    from perfmodel.core.errors import PerfmodelWarning

    df = _long()
    df["half"] = np.where(df["sup"] < "S20", "a", "b")
    with pytest.warns(PerfmodelWarning) as caught:
        panel_regression(df, "y", "x", entity="sup", time="t", cluster="half")
    assert [w.filename for w in caught if w.category is PerfmodelWarning] == [__file__]
