"""One path, one answer: the command line and the report notebooks print the same figures.

A quarterly report of the bundled sample is run through ``perfmodel report`` (papermill, a
real kernel); the figures its page shows are read back from the executed notebook's
outputs and compared with what ``perfmodel score``, ``perfmodel validity`` and
``perfmodel sensitivity`` print for the same period with their default settings. Before the
pipeline and its settings were one, the commands and the pages used different seeds and
numbers of draws and printed different adjusted p-values and fragile-rating counts.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from perfmodel.core import settings
from perfmodel.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PERIOD = "2026Q3"


def _cli(capsys, *argv) -> str:
    code = main([str(a) for a in argv])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


@pytest.fixture(scope="module")
def quarterly_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = main(["report", "--period", PERIOD, "--data", str(SAMPLE), "--policy", "efficiency",
                 "--out", str(out)])
    assert code == 0
    (run_dir,) = [p for p in (out / PERIOD).iterdir() if p.is_dir()]
    return run_dir


def _outputs(notebook: Path) -> tuple[str, list]:
    """The text and the HTML tables a page shows, from the executed notebook."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    texts, tables = [], []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for kind in ("text/markdown", "text/plain"):
                if kind in data:
                    texts.append("".join(data[kind]))
            if "text/html" in data:
                soup = BeautifulSoup("".join(data["text/html"]), "html.parser")
                texts.append(soup.get_text(" "))
                tables.extend(soup.find_all("table"))
            if output.get("output_type") == "stream":
                texts.append("".join(output.get("text", "")))
    return "\n".join(texts), tables


def _rows(table) -> list[list[str]]:
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in table.find_all("tr")]


def test_score_command_equals_the_published_scores(quarterly_run, tmp_path, capsys):
    _cli(capsys, "score", "--data", SAMPLE, "--policy", "efficiency", "--period", PERIOD,
         "--out", tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes() == (quarterly_run / "scores.csv").read_bytes()


def test_fragile_ratings_count_the_same_on_the_page_and_the_command_line(quarterly_run, capsys):
    text, _ = _outputs(quarterly_run / "quarterly_report.ipynb")
    m = re.search(r"(\d+) of (\d+) supervisors keep their rating in at most (\d+) %", text)
    assert m, "the page states how many ratings are fragile"
    on_page, total = int(m.group(1)), int(m.group(2))
    assert int(m.group(3)) == round(100 * (1 - settings.FRAGILE))
    printed = _cli(capsys, "sensitivity", "--data", SAMPLE, "--policy", "efficiency", "--period", PERIOD)
    m = re.search(r"(\d+) of (\d+) supervisors have a fragile rating", printed)
    on_cli = int(m.group(1)) if m else 0
    if not m:
        assert "no supervisor's rating differs" in printed
    else:
        assert int(m.group(2)) == total
    assert on_cli == on_page
    assert f"seed {settings.SEED}" in printed


def test_validity_p_values_are_the_same_on_the_page_and_the_command_line(quarterly_run, tmp_path, capsys):
    _cli(capsys, "validity", "--data", SAMPLE, "--period", PERIOD, "--out", tmp_path / "v.csv")
    cli = pd.read_csv(tmp_path / "v.csv", encoding="utf-8-sig")
    _, tables = _outputs(quarterly_run / "quarterly_report.ipynb")
    page = None
    for table in tables:
        rows = _rows(table)
        if rows and any("adjusted" in h.lower() or "p_adj" in h.lower() for h in rows[0]):
            page = rows
            break
    assert page is not None, "the quarterly page shows the validity table"
    header = [h.lower() for h in page[0]]
    i_p = next(i for i, h in enumerate(header) if "adjusted" in h or "p_adj" in h)
    i_n = next(i for i, h in enumerate(header) if "n" == h or "obs" in h or "n_obs" in h)
    from perfmodel.core.i18n import indicator_label

    label = {indicator_label(i, lang="en"): i for i in set(cli["process"]) | set(cli["result"])}
    compared = 0
    for row in page[1:]:
        process, result = label[row[0]], label[row[1]]
        expected = cli[(cli["process"] == process) & (cli["result"] == result)].iloc[0]
        assert row[i_p] == f"{expected['p_adj']:.3f}", (process, result)
        assert int(row[i_n].replace(",", "")) == int(expected["n_obs"])
        compared += 1
    assert compared >= 1


def test_rating_review_is_the_same_on_the_page_and_the_command_line(quarterly_run, tmp_path, capsys):
    _cli(capsys, "ratings", "--period", PERIOD, "--data", SAMPLE, "--policy", "efficiency", "--by", "region",
         "--out", tmp_path / "r.csv")
    cli = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    _, tables = _outputs(quarterly_run / "quarterly_report.ipynb")
    pages = [_rows(t) for t in tables if _rows(t) and "Mean of the rest" in _rows(t)[0]]
    assert len(pages) == 2, "the page reviews ratings by team and by region"
    page = pages[1]  # team first, then region
    head = page[0]
    shown = {r[head.index("Group")]: r for r in page[1:]}
    assert set(shown) == set(cli["group"])
    for r in cli.itertuples():
        assert shown[r.group][head.index("p")] == f"{r.p_value:.3f}"
        assert shown[r.group][head.index("p (adjusted)")] == f"{r.p_adj:.3f}"
