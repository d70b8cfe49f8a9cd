"""Data first, policy second: lint(data, policy) and watch(dataset, policy, period=..., as_of=...).

The former orders lint(policy, data) and watch(dataset, period, as_of, policy) still work for
one version, with a DeprecationWarning that names the new form.
"""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from perfmodel.analysis.lint import lint
from perfmodel.core.errors import UsageError
from perfmodel.data.dataset import Dataset
from perfmodel.scoring.policy import load_policy

LINT_NEW = r"lint\(\): the argument order changed; call lint\(data, policy\)"
WATCH_NEW = r"watch\(\): the argument order changed; call watch\(dataset, policy, period=\.\.\., as_of=\.\.\.\)"


NOT_CHECKED = "not checked: give the data (--data DIR) to check that every indicator can be measured"


@pytest.fixture(scope="module")
def dataset():
    from perfmodel import dataset_from_frames
    from test_watch import random_frames

    return dataset_from_frames(random_frames(seed=3, n_sup=6))


@pytest.fixture(scope="module")
def linted(dataset):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return lint(dataset, "efficiency")


def test_lint_data_first_policy_second(dataset, linted):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        by_name = lint(data=dataset, policy="efficiency")
    pd.testing.assert_frame_equal(linted, by_name)
    # the data were used: M was checked
    assert NOT_CHECKED not in linted.message.tolist()


@pytest.mark.parametrize("first", ["efficiency", "policy_object", "yaml_path"])
def test_lint_old_order_still_works_and_warns(first, tmp_path, dataset, linted):
    from perfmodel.scoring.policy import read_policy_text

    ds = dataset
    if first == "policy_object":
        policy = load_policy("efficiency")
    elif first == "yaml_path":
        policy = tmp_path / "efficiency.yaml"
        policy.write_text(read_policy_text("efficiency")[0], encoding="utf-8")
    else:
        policy = first
    with pytest.warns(DeprecationWarning, match=LINT_NEW):
        old = lint(policy, ds)
    pd.testing.assert_frame_equal(old, linted)
    with pytest.warns(DeprecationWarning, match=LINT_NEW):
        old_data_kw = lint(policy, data=ds)
    pd.testing.assert_frame_equal(old_data_kw, linted)


def test_lint_policy_alone():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        new = lint(policy="efficiency")
        none_first = lint(None, "efficiency")
    pd.testing.assert_frame_equal(new, none_first)
    with pytest.warns(DeprecationWarning, match=LINT_NEW):
        old = lint("efficiency")
    pd.testing.assert_frame_equal(old, new)
    # without data: M is not checked and says so
    assert new[new.letter == "M"].message.tolist() == [NOT_CHECKED]


def test_lint_without_a_policy_says_what_to_pass():
    with pytest.raises(UsageError, match=r"^no policy to check; pass one: lint\(data, policy\)"):
        lint(Dataset(tables={}))
    with pytest.raises(UsageError, match="没有要检查的方案"):
        lint(lang="zh")


# --------------------------------------------------------------------------- watch

@pytest.fixture(scope="module")
def watched(dataset):
    from perfmodel.analysis.watch import watch

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return watch(dataset, "efficiency", period="2026Q3", as_of="2026-08-15", threshold=0.3)


def _same(a, b):
    for name in ("period_to_date", "projections", "warnings"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_watch_new_form(dataset, watched):
    from perfmodel.analysis.watch import watch

    # the policy defaults to the efficiency preset
    _same(watch(dataset, period="2026Q3", as_of="2026-08-15", threshold=0.3), watched)
    assert watched.headline()["period"] == "2026Q3"
    assert watched.headline()["as_of"] == "2026-08-15 00:00:00"


@pytest.mark.parametrize("call", ["all_positional", "policy_keyword", "as_of_keyword"])
def test_watch_old_order_still_works_and_warns(dataset, watched, call):
    from perfmodel.analysis.watch import watch

    with pytest.warns(DeprecationWarning, match=WATCH_NEW):
        if call == "all_positional":
            old = watch(dataset, "2026Q3", "2026-08-15", "efficiency", threshold=0.3)
        elif call == "policy_keyword":
            old = watch(dataset, "2026Q3", "2026-08-15", policy="efficiency", threshold=0.3)
        else:
            old = watch(dataset, "2026Q3", as_of="2026-08-15", threshold=0.3)
    _same(old, watched)


def test_watch_mixed_forms_are_refused(dataset):
    from perfmodel.analysis.watch import watch

    with pytest.raises(TypeError, match="pass period=..., as_of=... by keyword"):
        watch(dataset, "2026Q3", "2026-08-15", as_of="2026-08-15")
    with pytest.raises(TypeError):
        watch(dataset, "2026Q3", "2026-08-15", period="2026Q3")
    with pytest.raises(TypeError):
        watch(dataset, "efficiency", "2026-08-15")  # as_of by position in the new form


CACHED_NEW = r"cached_watch\(\): the argument order changed; call cached_watch\(dataset, policy, period=\.\.\., as_of=\.\.\.\)"
COACHING_NEW = r"coaching_watch\(\): the argument order changed; call coaching_watch\(dataset, policy, as_of=\.\.\.\)"


def test_cached_watch_data_first_policy_second(dataset, watched, tmp_path):
    from perfmodel.analysis.watch import cached_watch

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        new = cached_watch(dataset, "efficiency", period="2026Q3", as_of="2026-08-15", threshold=0.3,
                           cache_dir=tmp_path)
        in_progress = cached_watch(dataset, as_of="2026-08-15", threshold=0.3, cache_dir=tmp_path)
    _same(new, watched)
    _same(in_progress, watched)  # 2026-08-15 lies in 2026Q3


@pytest.mark.parametrize("args", [("2026Q3", "2026-08-15", "efficiency"), ("2026Q3", "2026-08-15"),
                                  (None, "2026-08-15")])
def test_cached_watch_old_order_still_works_and_warns(dataset, watched, tmp_path, args):
    from perfmodel.analysis.watch import cached_watch

    with pytest.warns(DeprecationWarning, match=CACHED_NEW):
        old = cached_watch(dataset, *args, threshold=0.3, cache_dir=tmp_path)
    _same(old, watched)


def test_coaching_watch_data_first_policy_second(dataset):
    from perfmodel.analysis.watch.feedback import coaching_watch

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        new = coaching_watch(dataset, "efficiency", as_of="2026-08-15")
    with pytest.warns(DeprecationWarning, match=COACHING_NEW):
        old = coaching_watch(dataset, "2026-08-15", "efficiency")
    with pytest.warns(DeprecationWarning, match=COACHING_NEW):
        old_default = coaching_watch(dataset, "2026-08-15")
    assert new.period == old.period == old_default.period == "2026Q3"
    pd.testing.assert_frame_equal(new.projections, old.projections)
    with pytest.raises(TypeError, match="pass as_of=... by keyword"):
        coaching_watch(dataset, "2026-08-15", "efficiency", as_of="2026-08-15")
