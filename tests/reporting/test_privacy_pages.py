"""A pseudonymized report run names nobody in any of its outputs: data, pages, plots.

``perfmodel report --pseudonymize --salt-file F`` replaces supervisor and staff ids and
names by ``P-`` + the first 12 hex digits of HMAC-SHA256(salt, value). The pseudonyms are
re-derived here with :mod:`hmac` from the salt file, and the real ids and names are taken
from the input tables; every file of the run folder (HTML, executed notebook, CSV, the
workbook opened with openpyxl, manifest, policy) is searched for them. Images are searched
in-process: the figures of each report section are drawn from a pseudonymized context and
their texts (titles, tick labels, annotations) collected.
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

from fixtures import PERIOD, small_dataset

IMAGE_DATA = re.compile(r"data:image/[a-z+.-]+;base64,[A-Za-z0-9+/=\s]+")


# --------------------------------------------------------------------------- helpers

def expected_pseudonym(value: str, salt: str) -> str:
    """The documented scheme, worked here: P- + 12 hex digits of HMAC-SHA256(salt, value)."""
    return "P-" + hmac.new(salt.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def perfmodel(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "perfmodel", *map(str, args)], capture_output=True,
                          text=True, timeout=900, cwd=cwd)


def file_text(path: Path) -> str:
    """The text of an output file: cells of a workbook, a notebook without its images, a page
    without its embedded images (base64 could hold any short id by chance)."""
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        parts = [sheet.title for sheet in book.worksheets]
        parts += [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                  if c.value is not None]
        return "\n".join(parts)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []):
                for key in [k for k in out.get("data", {}) if k.startswith("image/")]:
                    del out["data"][key]
        text = json.dumps(nb, ensure_ascii=False)
    return IMAGE_DATA.sub("", text)


def found(needle: str, text: str) -> bool:
    """Whether an id (as a whole token) or a name occurs in ``text``."""
    if re.fullmatch(r"[0-9A-Za-z_-]+", needle):
        return re.search(rf"(?<![0-9A-Za-z]){re.escape(needle)}(?![0-9A-Za-z])", text) is not None
    return needle in text


def run_texts(run: Path) -> dict[str, str]:
    return {p.relative_to(run).as_posix(): file_text(p) for p in sorted(run.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The small synthetic dataset plus rows the loader quarantines while quoting real ids."""
    folder = tmp_path_factory.mktemp("privacy") / "data"
    shutil.copytree(small_dataset(tmp_path_factory.mktemp("privacy_src") / "data"), folder)
    staff = pd.read_csv(folder / "staff.csv", dtype=str, keep_default_na=False)
    staff = pd.concat([staff, staff.iloc[[0]]])  # a duplicate staff id
    staff.to_csv(folder / "staff.csv", index=False)
    reviews = pd.read_csv(folder / "peer_reviews.csv", dtype=str, keep_default_na=False)
    bad = reviews.iloc[[0]].assign(collaboration="9")  # out of range
    pd.concat([reviews, bad]).to_csv(folder / "peer_reviews.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def people(data) -> dict[str, set[str]]:
    """The real supervisor ids, names, teams, regions and staff ids, from the input tables."""
    sup = pd.read_csv(data / "supervisors.csv", dtype=str)
    staff = pd.read_csv(data / "staff.csv", dtype=str)
    reviews = pd.read_csv(data / "peer_reviews.csv", dtype=str)
    return {"supervisor_id": set(sup["supervisor_id"]), "name": set(sup["name"]),
            "team": set(sup["team"]), "region": set(sup["region"]),
            "staff_id": set(staff["staff_id"]) | set(reviews["reviewer_id"])}


@pytest.fixture(scope="module")
def salt_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("secret") / "salt"


@pytest.fixture(scope="module")
def runs(data, salt_file, tmp_path_factory) -> dict[str, Path]:
    """Pseudonymized quarterly (en), validity (zh) and calibration runs, and a plain quarterly run."""
    out = tmp_path_factory.mktemp("privacy_reports") / "reports"
    folders = {}
    for key, extra in (("quarterly", ["--lang", "en"]), ("validity", ["--notebook", "validity", "--lang", "zh"]),
                       ("calibration", ["--notebook", "calibration"])):
        proc = perfmodel("report", "--period", PERIOD, "--data", data, "--out", out, *extra,
                         "--pseudonymize", "--salt-file", salt_file)
        assert proc.returncode == 0, proc.stderr[-3000:]
        folders[key] = Path(proc.stdout.strip().splitlines()[-1]).parent
    proc = perfmodel("report", "--period", PERIOD, "--data", data, "--out", out.parent / "plain")
    assert proc.returncode == 0, proc.stderr[-3000:]
    folders["plain"] = Path(proc.stdout.strip().splitlines()[-1]).parent
    return folders


# --------------------------------------------------------------------------- report runs

@pytest.mark.parametrize("key", ["quarterly", "validity", "calibration"])
def test_no_output_of_a_pseudonymized_run_names_anyone(key, runs, people):
    run = runs[key]
    texts = run_texts(run)
    stem = {"quarterly": "quarterly_report", "validity": "validity_study",
            "calibration": "weight_calibration"}[key]
    assert {f"{stem}.html", f"{stem}.ipynb", "scores.csv", "indicators.csv", "scores.xlsx",
            "manifest.json", "policy.yaml"} <= set(texts)
    assert not [p for p in texts if p.startswith(".") or "/." in p]  # no cache or owner record left
    for name, text in texts.items():
        for kind, values in people.items():
            leaked = sorted(v for v in values if found(v, text))
            assert not leaked, (name, kind, leaked[:5])


def test_the_checks_find_real_names_in_a_plain_run(runs, people):
    # the same search on a run without --pseudonymize finds them: the test above can fail
    texts = run_texts(runs["plain"])
    page = texts["quarterly_report.html"]
    assert all(found(s, page) for s in people["supervisor_id"])
    assert all(found(n, page) for n in people["name"])
    assert all(found(t, page) for t in people["team"])
    assert any(found(s, texts["quarterly_report.ipynb"]) for s in people["staff_id"])  # a quarantine reason


def test_the_pages_carry_the_pseudonyms_derived_from_the_salt(runs, people, salt_file):
    salt = salt_file.read_text(encoding="utf-8").strip()
    run = runs["quarterly"]
    scores = pd.read_csv(run / "scores.csv", dtype=str)
    ids = {expected_pseudonym(s, salt) for s in people["supervisor_id"]}
    assert set(scores["supervisor_id"]) == ids
    for page in ("quarterly_report.html", "quarterly_report.ipynb"):
        text = file_text(run / page)
        assert all(p in text for p in ids), page  # the scores table lists every supervisor
        assert all(expected_pseudonym(n, salt) in text for n in people["name"]), page
    workbook = file_text(run / "scores.xlsx")
    assert all(p in workbook for p in ids)
    # the same salt gives the same pseudonyms in every run: tables join across runs
    assert (runs["validity"] / "scores.csv").read_bytes() == (run / "scores.csv").read_bytes()
    # the salt and its hash are in no file of either run
    digest = hashlib.sha256(salt.encode("utf-8")).hexdigest()
    for key in ("quarterly", "validity"):
        for path in runs[key].rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                assert salt.encode() not in raw and digest.encode() not in raw, path


def test_a_pseudonymized_run_verifies_only_with_its_salt(runs, salt_file):
    run = runs["quarterly"]
    ok = perfmodel("audit", "verify", run, "--salt-file", salt_file)
    assert ok.returncode == 0 and ok.stdout.strip() == "verified", ok.stdout + ok.stderr[-2000:]
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["pseudonymized"] is True and manifest["status"] == "complete"
    without = perfmodel("audit", "verify", run)
    assert without.returncode == 2 and "--salt-file" in without.stderr


def test_pseudonymize_is_refused_for_the_audit_notebook(data, tmp_path):
    proc = perfmodel("report", "--period", PERIOD, "--data", data, "--out", tmp_path / "r", "--notebook", "audit",
                     "--pseudonymize", "--salt-file", tmp_path / "salt")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "--pseudonymize" in proc.stderr and "audit" in proc.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "salt").exists()


# --------------------------------------------------------------------------- figures and tables, in-process

SALT = "a salt of more than sixteen characters"


def section_texts(ctx, monkeypatch) -> list[str]:
    """Every text each quarterly and validity section displays, figures included."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from perfmodel.reporting import sections as S

    shown: list[str] = []

    def collect(*objs):
        for o in objs:
            if isinstance(o, Figure):
                shown.extend(t.get_text() for t in o.findobj(Text))
                plt.close(o)
            else:
                shown.append(str(getattr(o, "data", o)))

    monkeypatch.setattr("perfmodel.reporting.display._display", collect)
    for show in (S.show_title, S.show_headline, S.show_scores, S.show_result_vs_process, S.show_trends,
                 S.show_funnels, S.show_fragility, S.show_data_quality, S.show_reliability):
        show(ctx)
    return shown


def test_figures_and_tables_of_a_pseudonymized_context_name_nobody(data, people, tmp_path, monkeypatch):
    from perfmodel.core.errors import UsageError
    from perfmodel.data.loader import load_dataset
    from perfmodel.data.privacy import pseudonymize, pseudonymize_dataset
    from perfmodel.reporting import sections as S
    from perfmodel.reporting.runner import write_cache

    dataset = load_dataset(data)
    plain = S.build_context(data, "efficiency", PERIOD, lang="en", seed=3)
    texts = "\n".join(section_texts(plain, monkeypatch))
    # without pseudonyms the fragility chart labels and the tables name supervisors
    assert all(found(s, texts) for s in people["supervisor_id"])
    assert any(found(s, texts) for s in people["staff_id"])  # the duplicate staff id's reason
    cache = write_cache(pseudonymize_dataset(dataset, SALT), pseudonymize(plain.long, SALT), tmp_path / "cache")
    ctx = S.build_context(data, "efficiency", PERIOD, lang="en", seed=3, cache=str(cache), pseudonymized=True)
    shown = section_texts(ctx, monkeypatch)
    texts = "\n".join(shown)
    for kind, values in people.items():
        assert not [v for v in values if found(v, texts)], kind
    labels = "\n".join(shown)
    assert all(expected_pseudonym(s, SALT) in labels for s in people["supervisor_id"])
    # the scores are those of the real data, only the names differ
    real = plain.scores.assign(supervisor_id=plain.scores["supervisor_id"].map(lambda s: expected_pseudonym(s, SALT)))
    pd.testing.assert_frame_equal(ctx.scores.sort_values("supervisor_id").reset_index(drop=True),
                                  real.sort_values("supervisor_id").reset_index(drop=True), check_dtype=False)
    # a pseudonymized page never falls back on the real data
    with pytest.raises(UsageError, match="pseudonymized"):
        S.build_context(data, "efficiency", PERIOD, lang="en", cache="", pseudonymized=True)
    with pytest.raises(UsageError, match="pseudonymized"):
        S.build_context(data, "efficiency", PERIOD, lang="en", cache=str(tmp_path / "gone"), pseudonymized=True)
    (cache / "panel.parquet").unlink()
    with pytest.raises(UsageError, match="panel.parquet"):
        S.build_context(data, "efficiency", PERIOD, lang="en", cache=str(cache), pseudonymized=True)


def test_pseudonymize_dataset_replaces_people_in_every_table(data, people):
    from perfmodel.data.loader import load_dataset
    from perfmodel.data.privacy import pseudonymize_dataset

    dataset = load_dataset(data)
    before = {k: v.copy() for k, v in dataset.tables.items()}
    out = pseudonymize_dataset(dataset, SALT)
    for name, df in dataset.tables.items():  # the input is unchanged
        pd.testing.assert_frame_equal(df, before[name])
    sup = dataset.tables["supervisors"]
    got = out.tables["supervisors"]
    assert got["supervisor_id"].tolist() == [expected_pseudonym(s, SALT) for s in sup["supervisor_id"]]
    assert got["name"].tolist() == [expected_pseudonym(n, SALT) for n in sup["name"]]
    # a team named after its leader, or led by one supervisor, would name that person
    assert got["team"].tolist() == [expected_pseudonym(t, SALT) for t in sup["team"]]
    assert got["region"].tolist() == [expected_pseudonym(r, SALT) for r in sup["region"]]
    staff = out.tables["staff"]
    assert staff["staff_id"].tolist() == [expected_pseudonym(s, SALT) for s in dataset.tables["staff"]["staff_id"]]
    reviews = out.tables["peer_reviews"]
    assert reviews["reviewer_id"].tolist() == [expected_pseudonym(s, SALT)
                                               for s in dataset.tables["peer_reviews"]["reviewer_id"]]
    tickets = out.tables["tickets"]
    assert tickets["supervisor_id"].tolist() == [expected_pseudonym(s, SALT)
                                                 for s in dataset.tables["tickets"]["supervisor_id"]]
    pd.testing.assert_series_equal(tickets["created_at"], dataset.tables["tickets"]["created_at"])
    # the quarantine keeps where, not what
    q, q0 = out.quarantine, dataset.quarantine
    assert len(q) == len(q0) >= 2
    assert q[["table", "file", "row", "column"]].equals(q0[["table", "file", "row", "column"]])
    assert (q["reason"] == q0["column"] + ": value withheld (pseudonymized run)").all()
    assert (q["record"] == "(withheld: pseudonymized run)").all()
    flat = q.to_csv()
    assert not [v for vs in people.values() for v in vs if found(v, flat)]


# --------------------------------------------------------------------------- other commands

def test_sensitivity_command_pseudonymizes(data, people, tmp_path):
    salt_file = tmp_path / "secret" / "salt"
    out = tmp_path / "out" / "sens.csv"
    args = ("sensitivity", "--data", data, "--policy", "efficiency", "--period", PERIOD, "--draws", "200",
            "--threshold", "0", "--out", out)
    proc = perfmodel(*args, "--pseudonymize", "--salt-file", salt_file)
    assert proc.returncode == 0, proc.stderr[-2000:]
    salt = salt_file.read_text(encoding="utf-8").strip()
    table = pd.read_csv(out, dtype={"supervisor_id": str})
    assert set(table["supervisor_id"]) == {expected_pseudonym(s, salt) for s in people["supervisor_id"]}
    for text in (out.read_text(encoding="utf-8"), proc.stdout):
        assert not [v for vs in people.values() for v in vs if found(v, text)]
    assert all(expected_pseudonym(s, salt) in proc.stdout for s in people["supervisor_id"])  # threshold 0
    # the figures are those of the plain run, keyed by pseudonym
    plain_out = tmp_path / "plain.csv"
    assert perfmodel(*args[:-1], plain_out).returncode == 0
    plain = pd.read_csv(plain_out, dtype={"supervisor_id": str})
    plain["supervisor_id"] = plain["supervisor_id"].map(lambda s: expected_pseudonym(s, salt))
    key = ["supervisor_id", "period"]
    pd.testing.assert_frame_equal(table.sort_values(key).reset_index(drop=True),
                                  plain.sort_values(key).reset_index(drop=True))
    line = perfmodel(*args, "--pseudonymize")
    assert line.returncode == 2 and "--salt-file" in line.stderr
