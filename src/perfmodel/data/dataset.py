"""The in-memory dataset: validated tables, the quarantine and the row account."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "reason", "record", "reason_code", "reason_params"]
# ``reason`` is the English text (kept as it was); ``reason_code`` names each rule broken
# ("; " between several) and ``reason_params`` holds their parameters as a JSON list of
# objects, one per code, so a page can word the reason in any language
# (:func:`perfmodel.core.i18n.reason_text`) and checks compare codes, not wording.
ACCOUNT_COLUMNS = ["table", "file", "rows_read", "rows_used", "rows_quarantined"]


@dataclass
class Dataset:
    """A loaded dataset.

    Attributes
    ----------
    tables : dict[str, pandas.DataFrame]
        Validated tables by name (only the tables present). Column types: ``id``/``text``
        and ``period`` as pandas' Arrow-backed strings with NaN for a missing value
        (:data:`perfmodel.data.parsing.TEXT_DTYPE`, the ``str`` dtype of pandas 3: cells are
        Python ``str`` when taken out, comparisons give plain bools),
        ``timestamp``/``date`` as naive ``datetime64[ns]`` in local time, ``bool`` as
        pandas ``boolean``, numbers as ``float64``.
    quarantine : pandas.DataFrame
        Rows that broke a rule, columns ``table``, ``file``, ``row`` (CSV and Excel: the row a
        spreadsheet shows, header = row 1; Parquet and frames: the 1-based position), ``column``, ``reason``, ``record`` (the raw row as JSON).
        For a database table ``file`` is ``<database>:<table> (<key>=<value>, ...)``, the
        row's key columns, and ``row`` its position in key order.
    account : pandas.DataFrame
        Per table: ``table``, ``file``, ``rows_read``, ``rows_used``, ``rows_quarantined``
        with ``rows_read == rows_used + rows_quarantined``.
    source : pathlib.Path, str or None
        The folder the dataset was read from (a database: its file, or its URL without
        the password).
    files : dict[str, pathlib.Path]
        The file each table was read from.
    calendar : perfmodel.data.workcalendar.WorkCalendar or None
        The working calendar (``calendar.yaml`` of the folder); None: the default one.
    """

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    account: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACCOUNT_COLUMNS))
    source: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    calendar: object = None

    def has(self, name: str) -> bool:
        """Return True when table ``name`` is present."""
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def supervisor_ids(self) -> list[str]:
        """All supervisor ids, sorted."""
        return sorted(self.tables["supervisors"]["supervisor_id"].tolist())
