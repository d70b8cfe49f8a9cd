"""Every report notebook runs on small fixture data and re-runs to the same outputs (nbval).

Each notebook is executed with papermill and fixture parameters into a temporary folder,
then ``pytest --nbval`` re-executes the executed copy cell by cell and compares every
output with the stored one (run ids, hashes, temporary paths and timestamps are sanitized
by ``tests/nbval_sanitize.cfg``). Running nbval on the executed copy keeps the data small
instead of using the notebooks' default parameters (the bundled sample).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fixtures import PERIOD, data_only_run, small_dataset
from perfmodel.reporting.paths import notebooks_dir
from perfmodel.reporting.runner import execute_notebook, kernel_name

HERE = Path(__file__).parents[1]
SANITIZE = HERE / "nbval_sanitize.cfg"


@pytest.fixture(scope="module")
def fixture_data(tmp_path_factory):
    base = tmp_path_factory.mktemp("nbdata")
    data = small_dataset(base / "data")
    run = data_only_run(data, base / "reports")
    return data, run


def _params(name, data, run, lang, as_of=""):
    common = {"data_dir": str(data), "policy": "efficiency", "period": PERIOD, "lang": lang,
              "engine": "duckdb", "seed": 11, "run_id": "", "cache": ""}
    if name == "supervisor_feedback":
        return {**common, "supervisor_id": "S003", "as_of": as_of}
    if name == "policy_audit":
        return {"run_dir": str(run), "other_policy": "quality", "lang": lang}
    return common


CASES = [("quarterly_report", "en"), ("quarterly_report", "zh"), ("supervisor_feedback", "zh"),
         ("validity_study", "en"), ("policy_audit", "en"), ("weight_calibration", "en")]
# (name, lang, as_of): the feedback page in mid-period coaching mode as well
RUNS = [(n, lang, "") for n, lang in CASES] + [("supervisor_feedback", "en", "2026-08-15")]


@pytest.mark.slow
@pytest.mark.parametrize("name,lang,as_of", RUNS,
                         ids=[f"{n}-{lang}" + (f"-as_of-{a}" if a else "") for n, lang, a in RUNS])
def test_notebook_runs_and_reproduces(name, lang, as_of, fixture_data, tmp_path):
    source = notebooks_dir() / f"{name}.ipynb"
    if not source.is_file():
        pytest.skip(f"{source.name} is not in notebooks/")
    data, run = fixture_data
    executed = tmp_path / f"{name}.ipynb"
    error = execute_notebook(source, executed, _params(name, data, run, lang, as_of), kernel=kernel_name())
    assert error is None, error
    nb = nbformat.read(str(executed), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if name == "supervisor_feedback":  # the page is the one asked for
        title = code[2]["outputs"][0]["data"]["text/markdown"].replace("\\", "")  # Markdown escapes
        assert "(S003)" in title, title
        mid = "".join(o.get("data", {}).get("text/markdown", "") for o in code[3].get("outputs", []))
        assert (f"Mid-period check — {PERIOD}, as of {as_of}" in mid) if as_of else not mid, mid[:200]
    # no warnings (missing glyphs, deprecations) printed into the report
    stderr = [o.get("text", "") for c in code for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not stderr, stderr[:2]
    r = subprocess.run([sys.executable, "-m", "pytest", "--nbval", str(executed), "--nbval-current-env",
                        "--nbval-sanitize-with", str(SANITIZE), "-q", "-p", "no:cacheprovider",
                        "-o", "addopts=", "-W", "ignore::DeprecationWarning"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_notebooks_are_thin_and_parameterized():
    for name in ("quarterly_report", "supervisor_feedback", "validity_study", "policy_audit"):
        nb = nbformat.read(str(notebooks_dir() / f"{name}.ipynb"), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        params = code[0]
        assert params.metadata.get("tags") == ["parameters"], name
        # the parameters cell holds plain literals only
        for line in params.source.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                target, value = (s.strip() for s in line.split("=", 1))
                assert target.isidentifier(), (name, line)
                compile(value, "<param>", "eval")
                assert value[0] in "\"'0123456789-" or value in ("True", "False", "None"), (name, line)
        # every other cell is a call into perfmodel, no logic of its own
        for c in code[1:]:
            for line in c.source.splitlines():
                assert not line.lstrip().startswith(("for ", "if ", "while ", "def ", "class ", "with ")), (name, line)
        # no stored outputs in the repository copies
        assert all(not c.get("outputs") for c in code), name
        assert nb.metadata["kernelspec"]["name"] == "python3"
