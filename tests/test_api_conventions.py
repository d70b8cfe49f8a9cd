"""entity, time and lang are keyword-only; old positional calls work for one version and warn."""
from __future__ import annotations

import importlib
import inspect
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfmodel

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


# --------------------------------------------------------------------------- the whole public API

SRC = Path(perfmodel.__file__).parent
KEYWORD_NAMES = ("entity", "time", "lang")
# The one public function whose subject is the language itself.
LANG_IS_THE_SUBJECT = {"perfmodel.core.messages.check_lang", "perfmodel.core.i18n.check_lang"}


def _public_modules():
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield importlib.import_module(".".join(["perfmodel", *parts]))


def _public_callables():
    """(qualified name, function) of every public function and public method defined in perfmodel."""
    seen = set()
    for mod in _public_modules():
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isfunction(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{mod.__name__}.{name}", obj
            elif inspect.isclass(obj):
                for meth_name, meth in vars(obj).items():
                    if inspect.isfunction(meth) and not meth_name.startswith("_") and id(meth) not in seen:
                        seen.add(id(meth))
                        yield f"{mod.__name__}.{name}.{meth_name}", meth


PUBLIC = dict(_public_callables())


def test_the_walk_finds_the_public_api():
    # a walk that finds nothing would pass every check below
    assert len(PUBLIC) > 300
    assert "perfmodel.core.i18n.t" in PUBLIC and "perfmodel.reporting.plotting.setup" in PUBLIC
    assert "perfmodel.analysis.explain.Explanation.text" in PUBLIC


def test_entity_time_lang_are_keyword_only_in_every_public_function():
    positional = []
    for qual, fn in PUBLIC.items():
        if qual in LANG_IS_THE_SUBJECT:
            continue
        for p in inspect.signature(fn).parameters.values():
            if p.name in KEYWORD_NAMES and p.kind is not inspect.Parameter.KEYWORD_ONLY:
                positional.append(f"{qual}({p.name})")
    assert positional == []


def test_every_deprecation_path_names_the_parameters_that_follow_the_positional_ones():
    # keyword_only("lang", "level") maps the first extra positional argument onto lang, the
    # next onto level: they must be the first keyword-only parameters, in that order.
    decorated = {q: fn for q, fn in PUBLIC.items() if hasattr(fn, "__keyword_only__")}
    assert len(decorated) > 50
    wrong = []
    for qual, fn in decorated.items():
        params = list(inspect.signature(fn.__wrapped__).parameters.values())
        kw = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
        names = list(fn.__keyword_only__)
        if kw[:len(names)] != names:
            wrong.append((qual, names, kw))
    assert wrong == []


def test_every_keyword_only_lang_keeps_its_deprecation_path():
    # lang was positional in the previous version everywhere but in BORN_KEYWORD_ONLY: removing
    # keyword_only from one of them would break old calls without a warning first.
    born_keyword_only = []
    for qual, fn in PUBLIC.items():
        if "lang" in inspect.signature(fn).parameters and qual not in LANG_IS_THE_SUBJECT | OLD_ORDER_KEEPS_LANG:
            if "lang" not in getattr(fn, "__keyword_only__", ()):
                born_keyword_only.append(qual)
    assert sorted(born_keyword_only) == sorted(BORN_KEYWORD_ONLY)


# Public functions whose former argument order (core.deprecation.old_order) maps a positional
# lang, with the rest of the old call, onto the new keywords.
OLD_ORDER_KEEPS_LANG = {"perfmodel.analysis.watch.feedback.show_mid_period"}

# Public functions whose lang was keyword-only from the start (no old positional form to keep).
BORN_KEYWORD_ONLY = [
    "perfmodel.analysis.lint.lint",
    "perfmodel.analysis.watch.core.watch",
    "perfmodel.analysis.weights.common.LopsidedWeight.text",
    "perfmodel.analysis.weights.common.WeightsDataError.text",
    "perfmodel.analysis.weights.common.WeightsUsageError.text",
    "perfmodel.analysis.weights.common.method_name",
    "perfmodel.analysis.weights.common.weights_text",
    "perfmodel.analysis.weights.comparison.plot_comparison",
    "perfmodel.analysis.weights.pairwise.AhpResult.consistency_warning",
    "perfmodel.audit.published.page_findings",
    "perfmodel.cli.report.data_line",
    "perfmodel.cli.weights.load_panel",
    "perfmodel.core.fonts.cjk_fonts",
    "perfmodel.core.errors.MethodSkipped.reason_text",
    "perfmodel.core.errors.PerfmodelError.text",
    "perfmodel.reporting.runner.run_report",
    "perfmodel.reporting.runner.validate",
    "perfmodel.reporting.demo.demo_context",
    "perfmodel.reporting.demo.demo_audit_context",
    "perfmodel.scoring.targets.Target.text",
    "perfmodel.scoring.targets.target_table",
]


def test_old_positional_lang_calls_give_the_same_text_and_warn():
    from perfmodel.analysis.watch import text as watch_text
    from perfmodel.core import catalogue, i18n, messages
    from perfmodel.reporting.quarterly import draws_note

    # expected values written out from messages.yaml and catalogue.yaml
    cases = [
        (catalogue.name, ("csat",), {}, "客户满意度"),
        (i18n.ordinal, (3,), {}, "3"),
        (messages.text, ("common.list_sep",), {}, "、"),
        (watch_text.period_name, ("quarter",), {}, "季度"),
        (draws_note, ("bootstrap",), {"seed": 7, "draws": 200}, None),
    ]
    for fn, args, kwargs, expected in cases:
        new = fn(*args, lang="zh", **kwargs)
        if expected is not None:
            assert new == expected, fn.__name__
        with pytest.warns(DeprecationWarning, match=rf"{fn.__name__}\(\): pass lang by keyword"):
            assert fn(*args, "zh", **kwargs) == new
    with pytest.raises(TypeError, match="multiple values for argument 'lang'"):
        catalogue.name("csat", "zh", lang="en")


def test_private_panel_helpers_take_entity_and_time_by_keyword():
    # the helpers behind panel_regression, predictive_validity, reliability and the funnel follow
    # the public convention too, so a swapped entity/time cannot slip through a positional call
    from perfmodel.analysis import profiling
    from perfmodel.analysis.stats import _fe, _panel

    helpers = [_fe.absorb, _panel.indicator_columns, _panel.check_unique, _panel.dense, profiling._rates]
    kinds = {f"{fn.__module__}.{fn.__name__}": {n: p.kind.name for n, p in inspect.signature(fn).parameters.items()
                                                if n in ("entity", "time")} for fn in helpers}
    assert kinds == {
        "perfmodel.analysis.stats._fe.absorb": {"entity": "KEYWORD_ONLY", "time": "KEYWORD_ONLY"},
        "perfmodel.analysis.stats._panel.indicator_columns": {"entity": "KEYWORD_ONLY", "time": "KEYWORD_ONLY"},
        "perfmodel.analysis.stats._panel.check_unique": {"entity": "KEYWORD_ONLY", "time": "KEYWORD_ONLY"},
        "perfmodel.analysis.stats._panel.dense": {"entity": "KEYWORD_ONLY", "time": "KEYWORD_ONLY"},
        "perfmodel.analysis.profiling._rates": {"entity": "KEYWORD_ONLY"},
    }
