"""A report on a folder of Parquet tables validates it inside the engine and never holds its rows.

The sample, its cells written as Parquet text with three rows the contract refuses, is
reported twice for 2026Q3: once from a dataset the pandas validator loaded (the path every
CSV folder takes), once as ``perfmodel report`` runs it, with the pandas loader made to
fail. Both runs must publish the same scores, indicators, quarantine and page text.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE, as_parquet_text

PERIOD = "2026Q3"


def _page_text(run_dir, run_id: str) -> str:
    """The text outputs of the executed notebook, its run id blanked."""
    (notebook,) = run_dir.glob("*.ipynb")
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for kind in ("text/markdown", "text/plain", "text/html"):
                if kind in data:
                    parts.append("".join(data[kind]))
            if output.get("output_type") == "stream":
                parts.append("".join(output.get("text", "")))
    text = "\n".join(parts).replace(run_id, "RUN")
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "PNG", text)


@pytest.mark.slow
def test_report_on_parquet_validates_in_the_engine(tmp_path, monkeypatch):
    import perfmodel.data.loader
    from perfmodel.data.loader import load_dataset
    from perfmodel.reporting.runner import run_reports, validate

    folder = as_parquet_text(SAMPLE, tmp_path / "data")
    tickets = pq.read_table(folder / "tickets.parquet").to_pydict()  # three rows the contract refuses
    tickets["supervisor_id"][10] = "S999"
    tickets["ticket_id"][20] = tickets["ticket_id"][19]
    tickets["created_at"][30] = "2026-02-30 10:00"
    pq.write_table(pa.table(tickets), folder / "tickets.parquet")

    spec, dataset = validate(period=PERIOD, data_dir=folder, out=tmp_path / "python", dataset=load_dataset(folder))
    assert dataset.quarantine.query("table == 'tickets'")["row"].tolist() == [11, 21, 31]
    (python,) = run_reports(spec, dataset, progress=False)

    def refuse(*args, **kwargs):
        raise AssertionError("the pandas validator ran")

    monkeypatch.setattr(perfmodel.data.loader, "load_dataset", refuse)
    spec, checked = validate(period=PERIOD, data_dir=folder, out=tmp_path / "engine")
    assert type(checked).__name__ == "CheckedFolder"
    assert sorted(checked.dataset.tables) == ["goals", "supervisors"]  # no ticket held in this process
    (engine,) = run_reports(spec, checked, progress=False)

    assert (python.status, engine.status) == ("complete", "complete"), (python.errors, engine.errors)
    for name in ("scores.csv", "indicators.csv"):
        assert (engine.run_dir / name).read_bytes() == (python.run_dir / name).read_bytes(), name
    for sheet in ("scores", "indicators", "quarantine"):
        mine = pd.read_excel(engine.run_dir / "scores.xlsx", sheet_name=sheet)
        theirs = pd.read_excel(python.run_dir / "scores.xlsx", sheet_name=sheet)
        pd.testing.assert_frame_equal(mine, theirs)
    quarantine = pd.read_excel(engine.run_dir / "scores.xlsx", sheet_name="quarantine")
    assert quarantine.loc[quarantine["Table"] == "tickets", "Row"].tolist() == [11, 21, 31]
    assert _page_text(engine.run_dir, engine.run_id) == _page_text(python.run_dir, python.run_id)

    from perfmodel.audit.verify import verify_run

    assert verify_run(engine.run_dir).summary() == "verified"  # recomputed as the run computed it
