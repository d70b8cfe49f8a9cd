"""Injection and leaks: parameters, text from data files, YAML, feedback pages, pseudonyms.

The hostile dataset is a small synthetic one whose supervisor names, teams and one id are
things a spreadsheet or a browser would run: ``<script>``, ``=HYPERLINK(...)``, ``@SUM``,
``+cmd|...``, ``-2+3``. Its folder name holds quotes and Python code, so that a parameter
pasted into a notebook as text would break out of its string.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from perfmodel.core.errors import UsageError
from perfmodel.data.exports import write_table
from perfmodel.data.privacy import load_or_create_salt, pseudonym, pseudonymize

BAD = Path(__file__).parents[1] / "fixtures" / "bad"
PERIOD = "2026Q3"
FORMULA_START = ("=", "+", "-", "@")

SCRIPT = "<script>alert(1)</script>"
HOSTILE = {  # supervisor id -> (new id, name, team)
    "S001": ("S001", SCRIPT, '=HYPERLINK("http://x")'),
    "S002": ("=S002", '=HYPERLINK("http://x","点我")', "@SUM(1+1)"),
    "S003": ("S003", "+cmd|' /C calc'!A0", "-2+3"),
}
# a folder name that would end a quoted string and run code if pasted into Python source
FOLDER = "data'\"; __import__('os').system('touch PWNED'); x=\""


def perfmodel(*args, cwd=None):
    """Run the command line in a new process (used for report runs)."""
    return subprocess.run([sys.executable, "-m", "perfmodel", *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the command line in this process: returns (exit code, stdout, stderr)."""
    from perfmodel.cli import main

    def run(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)
    return run


def one_line_error(proc) -> str:
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A 3-supervisor dataset with hostile names, teams and one hostile id."""
    from perfmodel.data.synth import generate

    root = tmp_path_factory.mktemp("hostile")
    folder = root / FOLDER
    generate(folder, seed=11, supervisors=3, start="2026Q1", end=PERIOD)
    ids = {old: new for old, (new, _, _) in HOSTILE.items()}
    for path in folder.glob("*.csv"):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "supervisor_id" in df.columns:
            df["supervisor_id"] = df["supervisor_id"].replace(ids)
        if path.name == "supervisors.csv":
            df["name"] = [HOSTILE[o][1] for o in df["supervisor_id"].map({v: k for k, v in ids.items()})]
            df["team"] = [HOSTILE[o][2] for o in df["supervisor_id"].map({v: k for k, v in ids.items()})]
        df.to_csv(path, index=False)
    return folder


@pytest.fixture(scope="module")
def hostile_run(hostile, tmp_path_factory):
    """One quarterly report of the hostile dataset (run from an empty folder, --out relative to it)."""
    out = tmp_path_factory.mktemp("hostile_reports")
    proc = perfmodel("report", "--period", PERIOD, "--data", hostile, "--out", "reports", cwd=out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = Path(proc.stdout.strip().splitlines()[-1])
    return html.parent


# --------------------------------------------------------------------------- parameters

@pytest.mark.parametrize("args, needle", [
    (["--period", "2026Q3'; import os"], "2026Q3'; import os"),
    (["--period", 'latest"); import os; ("'], "latest"),
    (["--lang", 'zh"'], "--lang"),
    (["--notebook", "quarterly'; import os"], "--notebook"),
    (["--seed", "1; import os"], "--seed"),
    (["--policy", "efficiency'; import os"], "efficiency'; import os"),
    (["--engine", "duckdb\"; x"], "--engine"),
])
def test_report_parameters_are_validated_before_papermill(args, needle, hostile, tmp_path, cli):
    full = ["report", *args]
    if "--period" not in args:
        full += ["--period", PERIOD]
    proc = cli(*full, "--data", hostile, "--out", tmp_path / "reports", cwd=tmp_path)
    line = one_line_error(proc)
    assert needle in line
    assert not (tmp_path / "reports").exists()  # no run folder, nothing executed
    assert not (tmp_path / "PWNED").exists()


def test_python_api_rejects_a_language_with_a_quote(hostile, tmp_path):
    from perfmodel.reporting import runner

    with pytest.raises(UsageError, match="lang"):
        runner.validate(period=PERIOD, data_dir=hostile, lang='zh"', out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_a_folder_name_with_quotes_and_code_is_passed_as_a_value(hostile_run, hostile):
    # the run completed on a data folder whose name is Python code: it was never executed
    assert not (hostile_run / "PWNED").exists() and not (hostile.parent / "PWNED").exists()
    assert not list(hostile_run.parents[2].rglob("PWNED"))
    manifest = json.loads((hostile_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert any(FOLDER in v for v in _strings(manifest))  # the folder name is recorded as a value


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# --------------------------------------------------------------------------- HTML

def test_names_from_the_data_are_escaped_in_html(hostile_run):
    html = (hostile_run / "quarterly_report.html").read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "<script>alert" not in html.replace("&lt;script&gt;", "")
    assert not re.search(r"<a [^>]*href=[\"']http://x", html)  # no live link from =HYPERLINK
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text


# --------------------------------------------------------------------------- CSV and Excel exports

def _check_csv(path: Path) -> int:
    """No text cell can start a formula; a cell starting with '-' is a number. Returns the escaped count."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    escaped = 0
    for row in rows:
        for cell in row:
            if cell.startswith(("=", "+", "@")):
                pytest.fail(f"{path.name}: formula cell {cell!r}")
            if cell.startswith("-"):
                float(cell)  # a negative number, not text: raises otherwise
            escaped += cell.startswith("'") and cell[1:2] in FORMULA_START
    return escaped


def _check_xlsx(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path)  # not data_only: formulas would show as data_type 'f'
    escaped = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s"
                    escaped += 1
    return escaped


def test_scores_and_indicator_exports_of_a_run_are_formula_safe(hostile_run):
    for name in ("scores.csv", "indicators.csv"):
        _check_csv(hostile_run / name)
    scores = pd.read_csv(hostile_run / "scores.csv", dtype=str)
    assert "'=S002" in scores["supervisor_id"].tolist()  # the id is kept, as text
    assert _check_xlsx(hostile_run / "scores.xlsx") >= 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_indicators_command_exports_are_formula_safe(hostile, tmp_path, suffix, cli):
    out = tmp_path / f"ind{suffix}"
    proc = cli("indicators", "--data", hostile, "--period", PERIOD, "--out", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    if suffix == ".csv":
        assert _check_csv(out) > 0
        assert "'=S002" in out.read_text(encoding="utf-8")
    else:
        assert _check_xlsx(out) > 0


def test_write_table_escapes_text_and_keeps_negative_numbers(tmp_path):
    df = pd.DataFrame({"who": ["=1+1", "+A1", "-A1", "@SUM(A1)", "正常", "-3"],
                       "value": [-1.5, 2.0, -3.0, 0.0, 1e-3, -7.0]})
    write_table(df, tmp_path / "t.csv", sort=False)
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["who,value", "'=1+1,-1.5", "'+A1,2", "'-A1,-3", "'@SUM(A1),0",
                                 "正常,0.001", "'-3,-7"]
    write_table(df, tmp_path / "t.xlsx", sort=False)
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in ws["A"]][1:] == df["who"].tolist()      # stored unchanged, as text
    assert {c.data_type for c in ws["A"][1:]} == {"s"}
    assert [c.value for c in ws["B"]][1:] == df["value"].tolist()    # numbers stay numbers
    assert {c.data_type for c in ws["B"][1:]} == {"n"}


# --------------------------------------------------------------------------- YAML

def test_python_tag_in_a_policy_is_one_line_exit_2(tmp_path, cli):
    policy = BAD / "policy_python_tag" / "policy.yaml"
    line = one_line_error(cli("lint", "--policy", policy, cwd=tmp_path))
    assert str(policy) in line and "python/object/apply:os.system" in line
    line = one_line_error(cli("report", "--period", PERIOD, "--data", BAD / "bom_utf8",
                                    "--policy", policy, "--out", tmp_path / "r", cwd=tmp_path))
    assert "policy.yaml" in line
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------- pseudonyms

SALT = "0123456789abcdef-test-salt"


def test_pseudonym_is_hmac_sha256_of_the_value():
    expected = "P-" + hmac.new(SALT.encode(), "S001".encode(), hashlib.sha256).hexdigest()[:12]
    assert pseudonym("S001", SALT) == expected
    assert re.fullmatch(r"P-[0-9a-f]{12}", expected)
    assert pseudonym("王芳", SALT) == "P-" + hmac.new(SALT.encode(), "王芳".encode("utf-8"),
                                                    hashlib.sha256).hexdigest()[:12]
    assert pseudonym("S001", SALT + "x") != expected


def test_pseudonymize_replaces_ids_and_names_only():
    df = pd.DataFrame({"supervisor_id": ["S1", "S2", None, "S1"], "name": ["王芳", "李娜", "x", "王芳"],
                       "staff_id": ["E1", None, "E3", "E1"], "period": ["2026Q3"] * 4,
                       "value": [1.0, 2.0, 3.0, 4.0]})
    out = pseudonymize(df, SALT)
    assert out["supervisor_id"].tolist()[:2] == [pseudonym("S1", SALT), pseudonym("S2", SALT)]
    assert pd.isna(out["supervisor_id"].iloc[2]) and pd.isna(out["staff_id"].iloc[1])
    assert out["supervisor_id"].iloc[3] == out["supervisor_id"].iloc[0]  # stable: joins still work
    assert out["name"].tolist()[0] == pseudonym("王芳", SALT)
    assert out[["period", "value"]].equals(df[["period", "value"]])
    assert df["supervisor_id"].tolist()[0] == "S1"  # the input is not modified
    only = pseudonymize(df, SALT, columns=["staff_id"])
    assert only["supervisor_id"].tolist()[0] == "S1"
    with pytest.raises(UsageError, match="no column 'team'"):
        pseudonymize(df, SALT, columns=["team"])
    with pytest.raises(UsageError, match="salt"):
        pseudonymize(df, "short")


def test_salt_file_is_created_secret_and_reused(tmp_path):
    path = tmp_path / "keys" / "salt"
    salt = load_or_create_salt(path)
    assert re.fullmatch(r"[0-9a-f]{64}", salt)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_salt(path) == salt
    with pytest.raises(UsageError, match="outside"):
        load_or_create_salt(tmp_path / "reports" / "salt", forbidden=[tmp_path / "reports"])
    (tmp_path / "weak").write_text("abc\n")
    with pytest.raises(UsageError, match="too short"):
        load_or_create_salt(tmp_path / "weak")


def test_indicators_command_pseudonymizes(hostile, tmp_path, cli):
    salt_file = tmp_path / "secret" / "salt"
    out = tmp_path / "out" / "ind.csv"
    proc = cli("indicators", "--data", hostile, "--period", PERIOD, "--out", out,
                     "--pseudonymize", "--salt-file", salt_file)
    assert proc.returncode == 0, proc.stderr[-2000:]
    salt = salt_file.read_text().strip()
    text = out.read_text(encoding="utf-8")
    for old, (new, name, _) in HOSTILE.items():
        assert new not in text and old not in text
        assert pseudonym(new, salt) in text
    assert salt not in text
    assert not list(out.parent.glob("*salt*"))
    first = out.read_bytes()
    again = tmp_path / "out" / "ind2.csv"
    assert cli("indicators", "--data", hostile, "--period", PERIOD, "--out", again,
                     "--pseudonymize", "--salt-file", salt_file).returncode == 0
    assert again.read_bytes() == first  # the same salt gives the same pseudonyms


@pytest.mark.parametrize("args, needle", [
    (["--pseudonymize"], "--salt-file"),
    (["--salt-file", "x"], "only used with --pseudonymize"),
])
def test_pseudonymize_needs_a_salt_file(hostile, tmp_path, args, needle, cli):
    line = one_line_error(cli("indicators", "--data", hostile, "--out", tmp_path / "i.csv", *args))
    assert needle in line and not (tmp_path / "i.csv").exists()


def test_validity_command_pseudonymizes(hostile, tmp_path, cli):
    out = tmp_path / "validity.csv"
    proc = cli("validity", "--data", hostile, "--boot", "99", "--out", out,
                     "--pseudonymize", "--salt-file", tmp_path / "salt")
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    for old, (new, name, team) in HOSTILE.items():
        assert new not in text and name not in text
    assert (tmp_path / "salt").read_text().strip() not in text
    assert len(pd.read_csv(out)) > 0


def test_pseudonymized_output_of_a_frame_read_back(tmp_path):
    df = pd.DataFrame({"supervisor_id": ["=S002", "S001"], "value": [-1.0, 2.0]})
    write_table(pseudonymize(df, SALT), tmp_path / "p.csv")
    back = pd.read_csv(io.StringIO((tmp_path / "p.csv").read_text(encoding="utf-8-sig")))
    assert set(back["supervisor_id"]) == {pseudonym("=S002", SALT), pseudonym("S001", SALT)}
    assert sorted(back["value"]) == [-1.0, 2.0]



# --------------------------------------------------------------------------- feedback pages

# a token of each supervisor that survives any rendering of its name: id and a name fragment
TOKENS = {"S001": ("S001", "alert(1)"), "=S002": ("=S002", "点我"), "S003": ("S003", "calc'!A0")}


@pytest.fixture(scope="module")
def feedback_pages(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("feedback")
    proc = perfmodel("report", "--period", PERIOD, "--notebook", "feedback", "--jobs", "2",
                     "--data", hostile, "--out", out / "reports", cwd=out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    index = Path(proc.stdout.strip().splitlines()[-1])
    return sorted(p for p in index.parent.glob("*.html") if p.name != "index.html")


@pytest.mark.slow
def test_each_feedback_page_holds_only_its_own_supervisor(feedback_pages):
    assert len(feedback_pages) == len(TOKENS)
    owners = []
    import html as html_lib

    for page in feedback_pages:
        html = html_lib.unescape(page.read_text(encoding="utf-8"))  # names as a reader sees them
        mine = [sid for sid, (ident, _) in TOKENS.items() if ident in html]
        assert len(mine) == 1, (page.name, mine)  # exactly one supervisor's id on the page
        owners.append(mine[0])
        for sid, (ident, fragment) in TOKENS.items():
            if sid != mine[0]:
                assert ident not in html and fragment not in html, (page.name, sid)
    assert sorted(owners) == sorted(TOKENS)


@pytest.mark.slow
def test_names_are_escaped_on_feedback_pages(feedback_pages):
    import html as html_lib

    for page in feedback_pages:
        html = page.read_text(encoding="utf-8")
        assert "<script></script>" not in html and SCRIPT not in html, page.name
        assert not re.search(r"<a [^>]*href=[\"']http://x", html), page.name
    first = html_lib.unescape(feedback_pages[0].read_text(encoding="utf-8"))
    assert SCRIPT in first  # the name is shown, as text


def test_markdown_escape_makes_names_inert():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from perfmodel.reporting.display import md_escape

    for name in (SCRIPT, '=HYPERLINK("http://x","点我")', "**bold** _x_ [a](http://x) # h"):
        out = markdown2html_mistune("# Feedback — " + md_escape(name))
        assert "<script" not in out and "<a href=\"http" not in out and "<strong>" not in out
        assert "<em>" not in out


# --------------------------------------------------------------------------- pseudonymized report runs

def _xlsx_text(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                     if c.value is not None)


def test_pseudonymized_quarterly_run_names_nobody_and_verifies_with_its_salt(hostile, tmp_path):
    salt_file = tmp_path / "secret" / "salt"
    out = tmp_path / "reports"
    proc = perfmodel("report", "--period", PERIOD, "--data", hostile, "--out", out,
                     "--pseudonymize", "--salt-file", salt_file)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = Path(proc.stdout.strip().splitlines()[-1]).parent
    salt = salt_file.read_text().strip()
    real_ids = ("S001", "S002", "S003")
    name_parts = ("alert(1)", "点我", "calc")
    texts = {p.name: p.read_text(encoding="utf-8") for p in (run / "indicators.csv", run / "scores.csv")}
    texts["scores.xlsx"] = _xlsx_text(run / "scores.xlsx")
    for name, text in texts.items():
        for needle in real_ids + name_parts:
            assert needle not in text, (name, needle)
    scores = pd.read_csv(run / "scores.csv", dtype=str)
    assert sorted(scores["supervisor_id"]) == sorted(pseudonym(new, salt) for new, _, _ in HOSTILE.values())
    # the salt, and its SHA-256, are in no file of the run
    salt_hash = hashlib.sha256(salt.encode("utf-8")).hexdigest()
    for path in run.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert salt.encode() not in data and salt_hash.encode() not in data, path
    assert not (run / ".cache").exists()
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["pseudonymized"] is True
    # verify needs the same salt
    ok = perfmodel("audit", "verify", run, "--salt-file", salt_file)
    assert ok.returncode == 0 and ok.stdout.strip() == "verified", ok.stdout + ok.stderr[-2000:]
    line = one_line_error(perfmodel("audit", "verify", run))
    assert "pseudonymized" in line and "--salt-file" in line
    other = tmp_path / "other_salt"
    other.write_text("x" * 64 + "\n")
    wrong = perfmodel("audit", "verify", run, "--salt-file", other)
    assert wrong.returncode == 1 and "scores.csv" in wrong.stderr + wrong.stdout


def test_pseudonymize_is_refused_for_feedback_pages(hostile, tmp_path, cli):
    line = one_line_error(cli("report", "--period", PERIOD, "--data", hostile, "--out", tmp_path / "r",
                              "--notebook", "feedback", "--pseudonymize", "--salt-file", tmp_path / "salt"))
    assert "feedback" in line and "--pseudonymize" in line
    assert not (tmp_path / "r").exists() and not (tmp_path / "salt").exists()
