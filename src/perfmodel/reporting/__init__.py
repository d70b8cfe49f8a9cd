"""Reports: run the parameterized notebooks into audited run folders (SPEC §6).

``runner`` executes notebooks and writes the run folder, ``html`` converts executed
notebooks to offline pages, ``excel`` writes the formatted workbook, ``sections`` holds
the tables, charts and text the notebooks show, ``paths`` finds the repository's files.
"""
from __future__ import annotations

from perfmodel.reporting.runner import (
    NOTEBOOKS, RunResult, latest_complete_period, run_report, run_reports, validate,
)

__all__ = ["NOTEBOOKS", "RunResult", "latest_complete_period", "run_report", "run_reports", "validate"]
