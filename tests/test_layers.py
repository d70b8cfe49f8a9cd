"""The package's layers: imports point downward only, and the old module paths still import."""
from __future__ import annotations

import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_imports_point_downward_only():
    # import-linter reads the layers contract of pyproject.toml ([tool.importlinter])
    res = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports;"
                          "sys.exit(lint_imports())"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "1 kept, 0 broken" in res.stdout


@pytest.mark.parametrize("old, new", [("perfmodel.stats", "perfmodel.analysis.stats"),
                                      ("perfmodel.weights", "perfmodel.analysis.weights"),
                                      ("perfmodel.sensitivity", "perfmodel.analysis.sensitivity"),
                                      ("perfmodel.profiling", "perfmodel.analysis.profiling")])
def test_spec_module_names_import_without_a_warning(old, new):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__name__ == new  # the real module, not a copy


@pytest.mark.parametrize("old, new", [("perfmodel.policy", "perfmodel.scoring.policy"),
                                      ("perfmodel.reports.sections", "perfmodel.reporting.sections"),
                                      ("perfmodel.watch", "perfmodel.analysis.watch"),
                                      ("perfmodel.synth", "perfmodel.data.synth"),
                                      ("perfmodel.errors", "perfmodel.core.errors")])
def test_old_module_paths_import_with_a_deprecation_warning(old, new):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)


def test_old_names_of_packages_that_were_modules():
    from perfmodel.scoring.scores import score as new_score

    import perfmodel.scoring

    with pytest.warns(DeprecationWarning, match="perfmodel.scoring.scores.score"):
        assert perfmodel.scoring.score is new_score
    import perfmodel.audit
    from perfmodel.audit.verify import verify_run

    with pytest.warns(DeprecationWarning, match=r"perfmodel\.audit\.verify_run is now perfmodel\.audit\.verify\.verify_run"):
        assert perfmodel.audit.verify_run is verify_run
    with pytest.warns(DeprecationWarning, match=r"perfmodel\.audit\.manifest\.list_runs is now perfmodel\.audit\.runs"):
        from perfmodel.audit.manifest import list_runs
    from perfmodel.audit.runs import list_runs as new_list_runs

    assert list_runs is new_list_runs


def test_spec_api_attributes():
    import perfmodel

    assert callable(perfmodel.stats.panel_regression)
    assert callable(perfmodel.weights.ahp)
    assert callable(perfmodel.sensitivity.rank_uncertainty)
    assert callable(perfmodel.profiling.funnel) and callable(perfmodel.profiling.shrink_rates)
