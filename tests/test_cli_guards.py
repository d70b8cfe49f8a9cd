"""Command-line guards: periods outside the data, outputs that cannot or must not be written,
CSV with a byte-order mark, quarantine summaries, panels in GBK, Chinese listings, messages."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.errors import PerfmodelError
from perfmodel.exports import write_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def run(capsys, *argv):
    """Run the command line in-process; return (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- outputs that cannot be written

@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_an_output_under_a_file_is_one_line(tmp_path, suffix):
    (tmp_path / "tickets.csv").write_text("x\n")
    target = tmp_path / "tickets.csv" / f"x{suffix}"
    with pytest.raises(PerfmodelError) as exc:
        write_table(pd.DataFrame({"a": [1]}), target)
    assert str(exc.value) == (f"--out {target}: cannot write (a file is in the way of its folder); "
                              f"choose another file")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_output_that_is_a_folder_is_one_line(tmp_path, suffix):
    target = tmp_path / f"existing{suffix}"
    target.mkdir()
    with pytest.raises(PerfmodelError) as exc:
        write_table(pd.DataFrame({"a": [1]}), target, option="--table")
    assert str(exc.value) == f"--table {target}: cannot write (it is a folder); choose another file"


def test_unwritable_out_exits_2_without_traceback(tmp_path, capsys):
    target = tmp_path / "dir.xlsx"
    target.mkdir()
    code, out, err = run(capsys, "indicators", "--data", SAMPLE, "--period", "2026Q3", "--out", target)
    assert code == 2
    assert err == f"perfmodel: error: --out {target}: cannot write (it is a folder); choose another file\n"


# --------------------------------------------------------------------------- CSV with a byte-order mark

def test_csv_starts_with_a_bom_and_reads_back(tmp_path):
    path = write_table(pd.DataFrame({"name": ["王芳", "李雷"], "v": [1.5, 2.0]}), tmp_path / "t.csv")
    data = path.read_bytes()
    # EF BB BF, then the header; Chinese text in UTF-8 (王 = E7 8E 8B)
    assert data == b"\xef\xbb\xbfname,v\n\xe6\x9d\x8e\xe9\x9b\xb7,2\n\xe7\x8e\x8b\xe8\x8a\xb3,1.5\n"
    back = pd.read_csv(path)
    assert list(back.columns) == ["name", "v"]
    assert back["name"].tolist() == ["李雷", "王芳"]
