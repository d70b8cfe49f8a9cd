"""Workbooks that unpack to far more than their size: refused in bounded memory, in one line.

Each load runs in a subprocess whose address space is capped (``RLIMIT_AS``), so a reader
that held the whole cell would fail there with a MemoryError instead of the one line.
"""
from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BAD = Path(__file__).parent / "data" / "bad"
LIMIT = 1536 << 20  # 1.5 GB of address space for the whole command


def _capped():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def _corpus():
    spec = importlib.util.spec_from_file_location("make_corpus_bombs", BAD / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _indicators(folder: Path, out: Path) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).with_name("perfmodel")
    return subprocess.run([str(cli), "indicators", "--data", str(folder), "--out", str(out)],
                          preexec_fn=_capped, capture_output=True, text=True, env=dict(os.environ),
                          timeout=300)


def test_the_committed_bomb_is_refused_in_one_line(tmp_path):
    folder = BAD / "xlsx_bomb_cell"
    assert (folder / "tickets.xlsx").stat().st_size < 200_000   # 80 MB of text inside
    done = _indicators(folder, tmp_path / "out.csv")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].endswith(
        "tickets.xlsx[tickets]: row 3, cell D3: a cell holds more than 1,048,576 bytes of text; a "
        "cell may hold at most 32,767 characters: shorten that cell or remove it (see data/README.md)")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.slow
def test_an_800_mb_cell_is_refused_under_a_memory_cap(tmp_path):
    shutil.copy(BAD / "xlsx_bomb_cell" / "supervisors.csv", tmp_path)
    _corpus().xlsx_bomb(tmp_path / "tickets.xlsx", 800 << 20)
    assert (tmp_path / "tickets.xlsx").stat().st_size < 1_000_000
    done = _indicators(tmp_path, tmp_path / "out.csv")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "row 3, cell D3: a cell holds more than 1,048,576 bytes" in done.stderr


def test_a_part_declared_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from perfmodel import load_dataset, xlsx_guard
    from perfmodel.errors import DataError

    shutil.copy(BAD / "xlsx_bomb_cell" / "supervisors.csv", tmp_path)
    shutil.copy(BAD / "stale_dimension_xlsx" / "tickets.xlsx", tmp_path)
    monkeypatch.setattr(xlsx_guard, "MAX_PART_BYTES", 100)   # every sheet part is larger
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert str(info.value).startswith("tickets.xlsx: the part ")
    assert "(the limit is 100)" in str(info.value)
