"""Checks shared by the commands: say what a load lost, guard outputs."""
from __future__ import annotations

import sys
from pathlib import Path

from perfmodel.core.errors import UsageError


def quarantine_lines(data, quarantine=None, *, lang: str = "en", option: str | None = "--quarantine") -> list[str]:
    """One line per table that lost rows: ``tickets: 6 read = 3 used + 3 quarantined (...)``.

    The parenthesis names the file written, or else the option of this command that writes
    one (``option``), or, for a command without one (None), ``perfmodel indicators
    --quarantine FILE``.

    Returns
    -------
    list of str
        Empty when no row was quarantined; in ``lang`` (the table named by its id).
    """
    from perfmodel.core import messages

    account = data.account
    if account is None or len(account) == 0:
        return []
    totals = account.groupby("table", sort=False)[["rows_read", "rows_used", "rows_quarantined"]].sum()
    if quarantine:
        where = messages.text("cli.quarantine_written", lang=lang, path=quarantine)
    elif option:
        where = messages.text("cli.quarantine_see", lang=lang, option=option)
    else:
        where = messages.text("cli.quarantine_see_command", lang=lang)
    return [messages.text("cli.quarantine_line", lang=lang, table=table, read=int(r.rows_read), used=int(r.rows_used),
                          quarantined=int(r.rows_quarantined), where=where)
            for table, r in totals.iterrows() if r.rows_quarantined > 0]


def report_quarantine(data, quarantine=None, *, out_option: str | None = "--quarantine", lang: str = "en") -> None:
    """Print :func:`quarantine_lines` to stderr (in ``lang``) and write the quarantine table when asked.

    ``out_option`` is the command's option that writes the table, None when it has none.
    """
    from perfmodel.data.dataset import QUARANTINE_COLUMNS
    from perfmodel.data.exports import write_table

    for line in quarantine_lines(data, quarantine, lang=lang, option=out_option):
        print(line, file=sys.stderr)
    if quarantine:
        table = data.quarantine
        table = table[[c for c in QUARANTINE_COLUMNS if c in table.columns]]
        write_table(table, quarantine, sort=False, option=out_option)


def table_files(folder) -> set[Path]:
    """The files in ``folder`` that the loader reads (or would read) as tables, resolved."""
    from perfmodel.data.readers import find_sources
    from perfmodel.data.schema import TABLES

    folder = Path(folder)
    files: set[Path] = set()
    if not folder.is_dir():
        return files
    try:
        files = {s.path.resolve() for s in find_sources(folder, TABLES).values()}
    except Exception:  # a broken workbook: guard by names only
        files = set()
    return files


def check_output(path, *, option: str = "--out", data=None, policy=None, inputs=()) -> None:
    """Refuse an output path that would overwrite the input data or the policy file.

    Refused: a folder, a path under a file, a file in the ``data`` folder that the loader
    reads as a table, or would read once written (``<table>.csv``, ``<table>.parquet``, ``<table>.xlsx``, or a workbook
    holding table sheets); the ``policy`` file; any of ``inputs``.

    Raises
    ------
    UsageError
        One line naming the option and the file.
    """
    from perfmodel.data.schema import TABLES

    if not path:
        return
    from perfmodel.data.exports import _cannot_write

    given = Path(path)
    if given.is_dir():  # fail before the work, not after it
        raise _cannot_write(option, given, "it is a folder")
    if any(parent.is_file() for parent in given.parents):
        raise _cannot_write(option, given, "a file is in the way of its folder")
    out = given.resolve()
    if data:
        folder = Path(data).resolve()
        if out.parent == folder and (
                out in table_files(folder)
                or (out.suffix.lower() in (".csv", ".parquet", ".xlsx") and out.stem.strip().lower() in TABLES)):
            raise UsageError.worded("errors.output_is_a_table", option=option, path=path, data=data)
    if policy and Path(policy).is_file() and out == Path(policy).resolve():
        raise UsageError.worded("errors.output_is_the_policy", option=option, path=path)
    for name in inputs:
        if name and Path(name).exists() and out == Path(name).resolve():
            raise UsageError.worded("errors.output_is_an_input", option=option, path=path)
