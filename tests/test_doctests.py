"""The Examples sections of the public docstrings run as doctests."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import perfmodel

MODULES = sorted(m.name for m in pkgutil.walk_packages(perfmodel.__path__, "perfmodel.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist():
    # the doctests above must run something: a change that drops every example fails here
    finder = doctest.DocTestFinder()
    found = sum(len(t.examples) for name in MODULES
                for t in finder.find(importlib.import_module(name)))
    assert found >= 3


#: The public API of SPEC §5 and the package's top level, and the functions users call next
#: to it: each must keep a runnable Examples section (the list may grow, never shrink).
DOCUMENTED = {
    "perfmodel": ["load_dataset", "dataset_from_frames", "compute_indicators", "wide_panel",
                  "load_policy", "score"],
    "perfmodel.weights": ["ahp", "entropy", "critic", "pca"],
    "perfmodel.sensitivity": ["rank_uncertainty"],
    "perfmodel.profiling": ["funnel", "shrink_rates"],
    "perfmodel.pipeline": ["run_pipeline"],
    "perfmodel.analysis.explain": ["explain", "rule_text", "value_for_score"],
    "perfmodel.analysis.explain_text": ["number"],
    "perfmodel.analysis.lint": ["lint"],
    "perfmodel.analysis.watch": ["watch"],
    "perfmodel.scoring.quotas": ["quota_effect", "counts_wide"],
    "perfmodel.scoring.adjustments": ["read_adjustments", "apply_adjustments", "quota_breaks"],
    "perfmodel.data.exports": ["write_table"],
    "perfmodel.core.periods": ["parse_period", "period_kind", "period_containing", "period_range",
                               "label_periods", "covered_periods", "data_span", "data_periods",
                               "latest_complete_period", "check_period"],
    "perfmodel.core.catalogue": ["catalogue", "indicator_ids", "indicator", "direction",
                                 "dimension", "name", "ids_of"],
    # beyond SPEC §5: the other public functions of core/, scoring/ and analysis/ done so far
    "perfmodel.core.errors": ["did_you_mean"],
    "perfmodel.core.hashing": ["sha256_bytes"],
    "perfmodel.core.atomic": ["write_atomic"],
    "perfmodel.scoring.scores": ["rule_score", "indicator_scores", "contributions", "rate",
                                 "largest_remainder", "supervisor_groups", "forced_ratings"],
    "perfmodel.scoring.policy": ["presets", "policy_from_dict", "check_period_kind",
                                 "split_provenance", "parse_policy_yaml", "read_policy_text",
                                 "policy_from_text"],
    "perfmodel.scoring.diff": ["diff_policies", "compare_scores"],
    "perfmodel.scoring.goals": ["goals_table", "goal_status", "bind_goals", "goals_of"],
    "perfmodel.analysis.weights": ["round_weights", "equal", "apply_weights", "read_pairwise_csv",
                                   "varimax", "weights_text", "method_name"],
    "perfmodel.analysis.profiling": ["fit_beta_binomial"],
    "perfmodel.analysis.sensitivity": ["sobol_indices"],
    "perfmodel.analysis.watch.projection": ["p_miss"],
    "perfmodel.analysis.rating_review": ["rating_review"],
    "perfmodel.analysis.goal_suggest": ["suggest_goals"],
    "perfmodel.analysis.watch.core": ["partial_period", "check_as_of", "rule_target"],
    "perfmodel.analysis.lint_goals": ["trend_slope", "reached"],
    "perfmodel.core.deprecation": ["keyword_only", "old_order"],
}


@pytest.mark.parametrize("qualname", [f"{m}.{f}" for m, fs in DOCUMENTED.items() for f in fs])
def test_public_function_has_examples(qualname):
    module_name, _, attr = qualname.rpartition(".")
    func = getattr(importlib.import_module(module_name), attr)
    tests = doctest.DocTestFinder(recurse=False).find(func, attr, globs={})
    examples = sum(len(t.examples) for t in tests)
    assert "Examples\n" in (func.__doc__ or ""), f"{qualname} has no Examples section"
    assert examples >= 1, f"{qualname}: its Examples section has no runnable example"
    skipped = [t for t in tests for e in t.examples if e.options.get(doctest.SKIP)]
    assert not skipped, f"{qualname}: an example is skipped; make it run"
