"""Judging stored text columns from their bytes (perfmodel.data.rawscan).

Each expectation is worked out by hand from the cells written: a column is plain when
every present cell is made of the bytes ``!`` to ``~`` only, none is empty and none is a
"no value" word; ascending when the present cells, in file order and across row groups,
are each greater than the one before.
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perfmodel.data.parsing import MISSING_WORDS
from perfmodel.data.rawscan import TextScan, scan_text_column


def _write(tmp_path, cells, *, type_=pa.string(), row_group_size=None):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": pa.array(cells, type_)}), path, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize("cells, plain", [
    (["T1", "T2", None, "T10"], True),
    (["T1", "T 2"], False),             # an inner space
    (["T1", "T2\t"], False),            # a tab
    (["T1", "T2\x7f"], False),          # DEL, beyond printable ASCII
    (["T1", "Ｔ2"], False),             # a full-width letter (three UTF-8 bytes)
    (["T1", "T2\u200b"], False),        # an invisible character
    (["T1", ""], False),                # an empty cell
    (["T1", "N/A"], False),             # a "no value" word
    (["T1", "--"], False),
    (["N/A1", "n/a2", "NULLS"], True),  # words that only start like "no value"
    ([None, None], True),
])
def test_plain_is_judged_on_every_cell(tmp_path, cells, plain):
    assert scan_text_column(_write(tmp_path, cells), "x", MISSING_WORDS).plain is plain


def test_large_strings_and_many_row_groups(tmp_path):
    cells = [f"C{i:05d}" for i in range(1000)]
    path = _write(tmp_path, cells, type_=pa.large_string(), row_group_size=64)
    assert scan_text_column(path, "x", MISSING_WORDS, ascending=True) == TextScan(True, True)
    cells[777] = "C00777 "  # one padded cell in the 13th row group
    path = _write(tmp_path, cells, row_group_size=64)
    assert scan_text_column(path, "x", MISSING_WORDS).plain is False


@pytest.mark.parametrize("cells, ascending", [
    (["A", "B", "C", "D", "E", "F"], True),
    (["A", None, "B", None, "C", "D"], True),     # missing cells are no key
    (["A", "B", "B", "C", "D", "E"], False),      # a repeat inside a row group
    (["A", "B", "C", "C", "D", "E"], False),      # a repeat across the boundary of two groups
    (["A", "B", "D", "C", "E", "F"], False),      # out of order across the boundary
    (["B", "A", "C", "D", "E", "F"], False),
    (["T10", "T9", "TA", "TB", "TC", "TD"], True),  # byte order, not number order: "T10" < "T9"
])
def test_ascending_across_row_groups(tmp_path, cells, ascending):
    path = _write(tmp_path, cells, row_group_size=3)
    assert scan_text_column(path, "x", MISSING_WORDS, ascending=True).ascending is ascending


def test_ascending_only_when_asked(tmp_path):
    path = _write(tmp_path, ["A", "B"])
    assert scan_text_column(path, "x", MISSING_WORDS) == TextScan(True, False)


@pytest.mark.parametrize("cells, plain", [
    (["1.5", "#NULL!"], False),   # a word of the typed columns, six bytes long
    (["1.5", "NaN"], False),
    (["1.5", "NULLX!"], True),    # as long as a word, but not one
])
def test_words_of_typed_columns(tmp_path, cells, plain):
    from perfmodel.data.parsing import MISSING_WORDS_TYPED

    path = _write(tmp_path, cells)
    assert scan_text_column(path, "x", MISSING_WORDS + MISSING_WORDS_TYPED).plain is plain
