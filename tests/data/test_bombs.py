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

BAD = Path(__file__).parents[1] / "fixtures" / "bad"
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
    from perfmodel import load_dataset
    from perfmodel.data import xlsx_guard
    from perfmodel.core.errors import DataError

    shutil.copy(BAD / "xlsx_bomb_cell" / "supervisors.csv", tmp_path)
    shutil.copy(BAD / "stale_dimension_xlsx" / "tickets.xlsx", tmp_path)
    monkeypatch.setattr(xlsx_guard, "MAX_PART_BYTES", 100)   # every sheet part is larger
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert str(info.value).startswith("tickets.xlsx: the part ")
    assert "(the limit is 100)" in str(info.value)


def test_a_yaml_alias_bomb_in_a_policy_is_refused_under_a_memory_cap():
    import time

    policy = BAD / "policy_alias_bomb" / "policy.yaml"
    assert policy.stat().st_size < 2_000  # 9**9 = 387,420,489 strings once expanded
    cli = Path(sys.executable).with_name("perfmodel")
    start = time.perf_counter()
    done = subprocess.run([str(cli), "policy", "check", str(policy)], preexec_fn=_capped,
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)
    print(f"alias bomb refused in {time.perf_counter() - start:.2f} s (with interpreter start)")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].endswith(f"{policy}: its aliases (*name) expand to more than 100,000 values; a "
                             "policy that large is an alias bomb, not a policy: write the values out "
                             "or remove the aliases")


def test_the_alias_check_counts_expanded_values_not_the_text():
    from perfmodel.core.errors import PolicyError
    from perfmodel.scoring.policy import MAX_POLICY_VALUES, policy_from_text

    corpus = _corpus()
    ok = corpus.POLICY_OK
    # an anchor reused a few times is fine: the policy loads
    assert policy_from_text(ok + "description: &d 考核说明\nnote: *d\n").name == "售后主管考核"
    # 400 aliases of a 300-item list: 120,000 values, just over the limit
    big = "note:\n  a: &a [" + ", ".join(["x"] * 300) + "]\n  b: [" + ", ".join(["*a"] * 400) + "]\n"
    assert 300 * 400 > MAX_POLICY_VALUES
    with pytest.raises(PolicyError, match="expand to more than 100,000 values"):
        policy_from_text(ok + big)
    with pytest.raises(PolicyError, match="at most 1,048,576 bytes"):
        policy_from_text(ok + "note: '" + "x" * (1 << 20) + "'\n")
