"""A report's pages are made from the run's results, never from the raw tables."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from perfmodel.core.errors import UsageError
from perfmodel.reporting import sections as S
from perfmodel.reporting.mid_period import mid_period_context
from perfmodel.reporting.runner import write_cache
from perfmodel.results import RESULT_FILES, load_results

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def run(sample_run):
    return sample_run


@pytest.fixture(scope="module")
def cache(run, tmp_path_factory):
    return write_cache(run.dataset, run.panel, tmp_path_factory.mktemp("run") / ".cache")


def test_the_cache_holds_results_only(cache):
    # the sample holds agreed goals: their targets travel too (without the free-text notes)
    assert sorted(p.name for p in cache.iterdir()) == sorted(RESULT_FILES + ("goals.parquet",))
    assert "note" not in pq.read_schema(cache / "goals.parquet").names
    raw_columns = {"ticket_id", "customer_id", "cost", "overall", "called_at", "comment"}
    for path in cache.glob("*.parquet"):
        assert not raw_columns & set(pq.read_schema(path).names), path.name
    tickets = pd.read_csv(SAMPLE / "tickets.csv", usecols=["ticket_id"], dtype=str)
    assert len(tickets) > 10_000  # the raw table is large; the cache is a panel of a few thousand rows
    assert sum(p.stat().st_size for p in cache.iterdir()) < (SAMPLE / "tickets.csv").stat().st_size / 10


def test_a_context_from_the_results_equals_one_from_the_data(run, cache, tmp_path):
    empty = tmp_path / "no-data"  # the raw data cannot be read: the folder is empty
    empty.mkdir()
    from_results = S.build_context(empty, "efficiency", PERIOD, lang="en", cache=str(cache))
    from_data = S.build_context(SAMPLE, "efficiency", PERIOD, lang="en")
    assert from_results.dataset is None and from_data.dataset is not None
    assert from_results.periods == from_data.periods == run.periods
    pd.testing.assert_frame_equal(from_results.scores, run.scores_of())
    pd.testing.assert_frame_equal(from_results.scores, from_data.scores)
    pd.testing.assert_frame_equal(from_results.supervisors, from_data.supervisors)
    for a, b in zip(S.data_quality_tables(from_results.data), S.data_quality_tables(from_data.dataset)):
        pd.testing.assert_frame_equal(a.astype(str), b.astype(str))
    pd.testing.assert_frame_equal(S.smart_table(from_results), S.smart_table(from_data))


def test_the_row_account_survives_the_cache(run, cache):
    summary, _, mid = load_results(cache)
    account = summary.account
    assert (account["rows_read"] == account["rows_used"] + account["rows_quarantined"]).all()
    assert int(account["rows_quarantined"].sum()) == len(run.dataset.quarantine) == len(summary.quarantine)
    assert mid is None


def test_a_mid_period_page_needs_the_runs_mid_period_results(cache, tmp_path):
    ctx = S.build_context(tmp_path, "efficiency", PERIOD, lang="en", cache=str(cache))
    with pytest.raises(UsageError, match="report --as-of again"):
        mid_period_context(ctx, "2026-08-15")
