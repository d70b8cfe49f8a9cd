"""The working calendar behind the business-hours indicators (SPEC §3).

A day is a working day when it is Monday to Friday or one of China's official make-up
working days (调休), and it is not an official holiday. The official days come from the
``chinesecalendar`` package; ``calendar.yaml`` in the dataset folder sets each team's
working hours and may list holidays and make-up days itself, for years the package does
not cover yet. A year that neither covers runs Monday to Friday, with one warning.

``calendar.yaml``::

    hours: {start: "09:00", end: "18:00", lunch: ["12:00", "13:00"]}   # every team
    teams:                                  # optional: supervisors.team -> own hours
      华南: {start: "08:30", end: "17:30"}   # keys left out are taken from ``hours``
    holidays: [2027-01-01, 2027-02-05]      # optional: days off (beat the package)
    make_up_days: [2027-02-20]              # optional: working weekend days (调休)

Without the file every team works 09:00–18:00 with no lunch break. Business time
between two instants is counted from :func:`day_table`, one row per calendar day and
working-hours pattern holding the working time before that day, so that an engine
gets it with one equi-join and integer arithmetic (see
:mod:`perfmodel.indicators.definitions`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import DataError, PerfmodelWarning

CALENDAR_FILE = "calendar.yaml"


class _CatalogueText:
    """A message of the catalogue (``perfmodel.core.messages``): its key and values, worded on demand."""

    def __init__(self, message: str, **values):
        self.message_key, self.values = message, values
        super().__init__(self.text(lang="en"))

    @keyword_only("lang")
    def text(self, *, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``zh``)."""
        from perfmodel.core.i18n import t

        return t(self.message_key, lang=lang, **self.values)


class CalendarError(_CatalogueText, DataError):
    """``calendar.yaml`` (or a database's calendar table) cannot be used.

    The message is the English line; :meth:`text` words it in either language
    (:data:`perfmodel.core.i18n.LABELS` keys ``calendar_*``).
    """


class CalendarWarning(_CatalogueText, PerfmodelWarning):
    """Years that neither the official calendar package nor ``calendar.yaml`` covers.

    ``str()`` is the English line; :meth:`text` words it in either language.
    """


# A database (DuckDB file, PostgreSQL) carries the same text in a table of this name:
# one row, one text column ``yaml``.
CALENDAR_TABLE = "calendar"
US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
TOP_KEYS = ("hours", "teams", "holidays", "make_up_days", "note")
HOURS_KEYS = ("start", "end", "lunch")
DEFAULT_START, DEFAULT_END = "09:00", "18:00"

#: Columns of :func:`day_table`.
DAY_COLUMNS = ["cal", "day", "cum_us", "a1", "l1", "a2", "l2", "period_end_us"]


@dataclass(frozen=True)
class WorkingHours:
    """One team's working day, in microseconds after local midnight.

    Attributes
    ----------
    start, end : int
        Start and end of the working day.
    lunch : (int, int) or None
        The unpaid break inside the day, if any.
    """

    start: int
    end: int
    lunch: tuple[int, int] | None = None

    def segments(self) -> tuple[int, int, int, int]:
        """``(s1, e1, s2, e2)``: the morning and afternoon spans (the second empty without lunch)."""
        if self.lunch is None:
            return self.start, self.end, self.end, self.end
        return self.start, self.lunch[0], self.lunch[1], self.end

    @property
    def length(self) -> int:
        """Working microseconds in one working day."""
        s1, e1, s2, e2 = self.segments()
        return (e1 - s1) + (e2 - s2)


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours per team and the official days off and make-up days.

    Attributes
    ----------
    hours : WorkingHours
        Default working hours (teams not listed, supervisors without a team).
    teams : dict[str, WorkingHours]
        Working hours of the teams listed in ``calendar.yaml``.
    holidays, make_up_days : frozenset of datetime.date
        Days listed in the file; they take precedence over the package.
    source : str or None
        The file read (None: the default calendar), or ``<database>:calendar``.
    in_table : bool
        Read from a database's ``calendar`` table rather than a ``calendar.yaml`` file (the
        messages then say where to fix it).
    """

    hours: WorkingHours = field(default_factory=lambda: WorkingHours(9 * 3600 * US_PER_SECOND,
                                                                     18 * 3600 * US_PER_SECOND))
    teams: dict = field(default_factory=dict)
    holidays: frozenset = frozenset()
    make_up_days: frozenset = frozenset()
    source: str | None = None
    in_table: bool = False

    def hours_of(self, team) -> WorkingHours:
        """Working hours of ``team`` (the default ones when it is not listed or empty)."""
        if team is None or (isinstance(team, float) and np.isnan(team)):
            return self.hours
        return self.teams.get(str(team), self.hours)

    def patterns(self) -> list[WorkingHours]:
        """The distinct working-hours patterns; index 0 is the default."""
        out = [self.hours]
        for h in self.teams.values():
            if h not in out:
                out.append(h)
        return out

    def working_days(self, first: dt.date, last: dt.date, warn_within=None) -> np.ndarray:
        """Boolean per day from ``first`` to ``last`` inclusive: is it a working day.

        Warns once (:class:`~perfmodel.core.errors.PerfmodelWarning`) for the years that neither
        the package nor this file covers; those run Monday to Friday. ``warn_within``
        (first, last date): warn only about the years of these days.
        """
        days = pd.date_range(first, last, freq="D")
        out = np.zeros(len(days), dtype=bool)
        listed_years = {d.year for d in self.holidays | self.make_up_days}
        uncovered = []
        for i, ts in enumerate(days):
            d = ts.date()
            if d in self.holidays:
                continue
            if d in self.make_up_days:
                out[i] = True
                continue
            official = _official_workday(d)
            if official is None:
                relevant = warn_within is None or warn_within[0] <= d <= warn_within[1]
                if relevant and d.year not in listed_years and d.year not in uncovered:
                    uncovered.append(d.year)
                out[i] = d.weekday() < 5
            else:
                out[i] = official
        if uncovered:
            years = ", ".join(str(y) for y in uncovered)
            where = self.source or CALENDAR_FILE
            key = "calendar_table_uncovered" if self.in_table else "calendar_uncovered"
            warnings.warn(CalendarWarning(key, where=where, years=years), stacklevel=2)
        return out

#: The ticket clocks the business-hours indicators measure between.
CLOCK_COLUMNS = ("created_at", "first_response_at", "resolved_at")


def _official_workday(d: dt.date) -> bool | None:
    """The package's verdict on ``d``, or None when it does not cover the year."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


# --------------------------------------------------------------------------- reading

class _Loader(yaml.SafeLoader):
    """Safe YAML whose dates stay text, so that a bad one is reported, not raised by YAML."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass

def load_calendar(folder) -> WorkCalendar:
    """Read ``calendar.yaml`` from a dataset folder.

    Parameters
    ----------
    folder : str or pathlib.Path or None
        The dataset folder; None or a folder without the file gives the default calendar.

    Returns
    -------
    WorkCalendar

    Raises
    ------
    DataError
        One line naming the file and the key, and what to write instead, when the file is
        not valid YAML or breaks the format above.

    Examples
    --------
    Team East works 10:00-19:00 and keeps the default lunch hour: eight working hours a day:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "calendar.yaml").write_text(
    ...     'hours: {start: "08:30", end: "17:30", lunch: ["12:00", "13:00"]}\\n'
    ...     'teams:\\n  East: {start: "10:00", end: "19:00"}\\n'
    ...     'holidays: [2027-01-01]\\n', encoding="utf-8")
    >>> calendar = load_calendar(folder)
    >>> calendar.hours.length / 3_600_000_000, calendar.hours_of("East").length / 3_600_000_000
    (8.0, 8.0)
    >>> sorted(calendar.holidays)
    [datetime.date(2027, 1, 1)]
    >>> load_calendar(None) == WorkCalendar()  # no file: 09:00-18:00, the official calendar
    True
    >>> _ = (folder / "calendar.yaml").write_text('hours: {start: "9am"}\\n', encoding="utf-8")
    >>> load_calendar(folder)
    Traceback (most recent call last):
    ...
    perfmodel.data.workcalendar.CalendarError: .../calendar.yaml: hours.start: '9am' is not a time of day; write HH:MM, e.g. "09:00"
    """
    if folder is None:
        return WorkCalendar()
    path = Path(folder) / CALENDAR_FILE
    if not path.is_file():
        return WorkCalendar()
    try:
        data = _read_yaml(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise CalendarError("calendar_not_utf8", where=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise CalendarError("calendar_bad_yaml", where=path, line=where,
                            problem=getattr(exc, "problem", exc)) from None
    return parse_calendar(data, source=str(path))


def calendar_from_database(db) -> WorkCalendar:
    """Read the working calendar of a database: table ``calendar``, one row, column ``yaml``.

    Returns
    -------
    WorkCalendar
        The default calendar when the database has no such table.

    Raises
    ------
    DataError
        When the table has another shape or its text is not a valid calendar.

    Examples
    --------
    >>> import tempfile
    >>> import duckdb
    >>> from perfmodel.data.dbsource import as_database
    >>> path = Path(tempfile.mkdtemp()) / "hr.duckdb"
    >>> with duckdb.connect(str(path)) as con:
    ...     _ = con.execute("CREATE TABLE calendar (yaml VARCHAR)")
    ...     _ = con.execute("INSERT INTO calendar VALUES (?)", ['hours: {start: "08:00", end: "17:00"}'])
    >>> calendar = calendar_from_database(as_database(path))
    >>> calendar.hours.start / 3_600_000_000, calendar.hours.end / 3_600_000_000, calendar.source
    (8.0, 17.0, 'hr.duckdb:calendar')
    """
    from perfmodel.data.dbsource import read_tables

    found = read_tables(db, [CALENDAR_TABLE]).get(CALENDAR_TABLE)
    if found is None:
        return WorkCalendar()
    label = f"{db.name}:{CALENDAR_TABLE}"
    columns = [c.lower() for c in found.column_names]
    if "yaml" not in columns or found.num_rows != 1:
        raise CalendarError("calendar_table_shape", where=label, rows=found.num_rows, columns=", ".join(columns))
    text = found.column(columns.index("yaml"))[0].as_py() or ""
    try:
        data = _read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise CalendarError("calendar_bad_yaml", where=label, line=where,
                            problem=getattr(exc, "problem", exc)) from None
    return dataclasses.replace(parse_calendar(data, source=label), in_table=True)


def parse_calendar(data, source: str = CALENDAR_FILE) -> WorkCalendar:
    """Build a :class:`WorkCalendar` from the mapping of a ``calendar.yaml``.

    Returns
    -------
    WorkCalendar

    Raises
    ------
    DataError
        One line ``<source>: <key>: <problem>; <fix>``.

    Examples
    --------
    >>> calendar = parse_calendar({"teams": {"East": {"end": "20:00"}}, "make_up_days": ["2026-10-10"]})
    >>> calendar.hours_of("East").length / 3_600_000_000, calendar.hours_of("West").length / 3_600_000_000
    (11.0, 9.0)
    >>> calendar.make_up_days
    frozenset({datetime.date(2026, 10, 10)})
    >>> parse_calendar({"hours": {"start": "18:00", "end": "09:00"}})
    Traceback (most recent call last):
    ...
    perfmodel.data.workcalendar.CalendarError: calendar.yaml: hours.end: the working day ends before it starts; give an end after the start
    >>> parse_calendar({"holiday": []})
    Traceback (most recent call last):
    ...
    perfmodel.data.workcalendar.CalendarError: calendar.yaml: holiday: unknown key; use one of hours, teams, holidays, make_up_days, note
    """
    def fail(key: str, message: str, **values):
        raise CalendarError(message, where=source, field=key, **values)

    if data is None:
        return WorkCalendar(source=source)
    if not isinstance(data, dict):
        raise CalendarError("calendar_not_mapping", where=source, got=type(data).__name__)
    for key in data:
        if key not in TOP_KEYS:
            fail(str(key), "calendar_unknown_key", keys=", ".join(TOP_KEYS))
    default = WorkingHours(_clock(DEFAULT_START, "", fail), _clock(DEFAULT_END, "", fail))
    hours = _hours(data.get("hours"), "hours", default, fail)
    teams_raw = data.get("teams") or {}
    if not isinstance(teams_raw, dict):
        fail("teams", "calendar_teams")
    teams = {str(name): _hours(spec, f"teams.{name}", hours, fail) for name, spec in teams_raw.items()}
    holidays = _days(data.get("holidays"), "holidays", fail)
    make_up = _days(data.get("make_up_days"), "make_up_days", fail)
    both = sorted(holidays & make_up)
    if both:
        fail("make_up_days", "calendar_both_lists", day=both[0].isoformat())
    return WorkCalendar(hours=hours, teams=teams, holidays=frozenset(holidays),
                        make_up_days=frozenset(make_up), source=source)


def _clock(value, key: str, fail) -> int:
    """Microseconds after midnight of an ``HH:MM`` text (24:00 allowed as the end of a day)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 24 * 60 * 60:
        # YAML 1.1 reads an unquoted 09:00 as the sexagesimal number 540
        return value * 60 * US_PER_SECOND
    text = str(value).strip()
    parts = text.split(":")
    ok = len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts)
    if ok:
        h, m = int(parts[0]), int(parts[1])
        ok = (h < 24 and m < 60) or (h == 24 and m == 0)
    if not ok:
        fail(key, "calendar_time", text=repr(text))
    return (h * 3600 + m * 60) * US_PER_SECOND


def _hours(spec, key: str, base: WorkingHours, fail) -> WorkingHours:
    if spec is None:
        return base
    if not isinstance(spec, dict):
        fail(key, "calendar_hours")
    for k in spec:
        if k not in HOURS_KEYS:
            fail(f"{key}.{k}", "calendar_unknown_key", keys=", ".join(HOURS_KEYS))
    start = _clock(spec["start"], f"{key}.start", fail) if "start" in spec else base.start
    end = _clock(spec["end"], f"{key}.end", fail) if "end" in spec else base.end
    if end <= start:
        fail(f"{key}.end", "calendar_end_before_start")
    lunch = base.lunch
    if "lunch" in spec:
        value = spec["lunch"]
        if value is None:
            lunch = None
        else:
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                fail(f"{key}.lunch", "calendar_lunch_form")
            lunch = (_clock(value[0], f"{key}.lunch", fail), _clock(value[1], f"{key}.lunch", fail))
    if lunch is not None and not (start <= lunch[0] < lunch[1] <= end):
        fail(f"{key}.lunch", "calendar_lunch_inside")
    return WorkingHours(start, end, lunch)


def _days(values, key: str, fail) -> set:
    if values is None:
        return set()
    if not isinstance(values, (list, tuple)):
        fail(key, "calendar_dates")
    out = set()
    for v in values:
        if isinstance(v, dt.datetime):
            v = v.date()
        if not isinstance(v, dt.date):
            try:
                v = dt.date.fromisoformat(str(v).strip())
            except ValueError:
                fail(key, "calendar_not_date", text=repr(v))
        out.add(v)
    return out


# --------------------------------------------------------------------------- the engine's table

def day_table(calendar: WorkCalendar, first: dt.date, last: dt.date, period_ends, *,
              warn_within=None) -> pd.DataFrame:
    """One row per working-hours pattern and calendar day: what an engine needs to count.

    Parameters
    ----------
    calendar : WorkCalendar
    first, last : datetime.date
        First and last day to cover (inclusive). Business time is counted from the start
        of ``first``; only differences are used, so the origin does not matter.
    period_ends : sequence of datetime.date
        The first day after each period of the request, ascending; a day's
        ``period_end_us`` is the working time before the first of these after it.
    warn_within : (datetime.date, datetime.date), optional
        Warn about uncovered years only within these days (see :meth:`WorkCalendar.working_days`).

    Returns
    -------
    pandas.DataFrame
        Columns (all int64): ``cal`` (index into :meth:`WorkCalendar.patterns`), ``day``
        (days since 1970-01-01), ``cum_us`` (working microseconds from ``first`` to the
        start of the day), ``a1``, ``l1``, ``a2``, ``l2`` (the day's two working spans as
        start, microseconds since 1970-01-01, and length; lengths 0 on a day off),
        ``period_end_us`` (working microseconds from ``first`` to the end of the period
        holding the day; past the table's last day, up to its end).

    Notes
    -----
    The business time up to an instant u (microseconds since 1970) on day d is
    ``cum_us + clip(u - a1, 0, l1) + clip(u - a2, 0, l2)``.

    Examples
    --------
    30 September 2026 is a working day of nine hours (09:00-18:00); 1 October is National
    Day, a day off. Times in hours rather than microseconds:

    >>> import datetime as dt
    >>> table = day_table(WorkCalendar(), dt.date(2026, 9, 30), dt.date(2026, 10, 1),
    ...                   [dt.date(2026, 10, 1)])
    >>> list(table.columns)
    ['cal', 'day', 'cum_us', 'a1', 'l1', 'a2', 'l2', 'period_end_us']
    >>> hour = 3_600_000_000
    >>> pd.DataFrame({"date": pd.to_datetime(table["day"], unit="D").dt.date,
    ...               "worked_before": table["cum_us"] / hour,
    ...               "opens": table["a1"] % (24 * hour) / hour,
    ...               "hours": (table["l1"] + table["l2"]) / hour,
    ...               "period_end": table["period_end_us"] / hour})
             date  worked_before  opens  hours  period_end
    0  2026-09-30            0.0    9.0    9.0         9.0
    1  2026-10-01            9.0    9.0    0.0         9.0
    """
    working = calendar.working_days(first, last, warn_within)
    days = pd.date_range(first, last, freq="D")
    day_no = ((days - pd.Timestamp("1970-01-01")) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
    ends = sorted(pd.Timestamp(e) for e in period_ends)
    # index of the first period end after each day (len(ends) past the last one)
    end_idx = np.searchsorted(np.array([e.value for e in ends], dtype="int64"),
                              days.asi8, side="right")
    parts = []
    for cal, hours in enumerate(calendar.patterns()):
        s1, e1, s2, e2 = hours.segments()
        length = np.where(working, hours.length, 0).astype("int64")
        cum = np.concatenate([[0], np.cumsum(length)[:-1]]).astype("int64")
        total = int(length.sum())
        # working time up to the start of each period end (a day of the table, or past it)
        at_end = []
        for e in ends:
            pos = int((e - pd.Timestamp(first)) // pd.Timedelta(days=1))
            at_end.append(total if pos >= len(days) else int(cum[max(pos, 0)]))
        at_end.append(total)
        midnight = day_no * US_PER_DAY
        parts.append(pd.DataFrame({
            "cal": np.full(len(days), cal, dtype="int64"), "day": day_no, "cum_us": cum,
            "a1": midnight + s1, "l1": np.where(working, e1 - s1, 0),
            "a2": midnight + s2, "l2": np.where(working, e2 - s2, 0),
            "period_end_us": np.asarray(at_end, dtype="int64")[end_idx],
        }))
    return pd.concat(parts, ignore_index=True).astype("int64")[DAY_COLUMNS]


def supervisor_calendars(calendar: WorkCalendar, supervisors: pd.DataFrame) -> pd.DataFrame:
    """The working-hours pattern of each supervisor, from their team.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id`` (str) and ``cal`` (int64, index into :meth:`WorkCalendar.patterns`).

    Examples
    --------
    Team East has its own hours (pattern 1); no team, or a team not listed, works the default
    hours (pattern 0):

    >>> calendar = parse_calendar({"teams": {"East": {"end": "20:00"}}})
    >>> supervisor_calendars(calendar, pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"],
    ...                                              "team": ["East", None, "West"]}))
      supervisor_id  cal
    0            S1    1
    1            S2    0
    2            S3    0
    """
    patterns = calendar.patterns()
    teams = supervisors["team"] if "team" in supervisors else pd.Series([None] * len(supervisors))
    cal = [patterns.index(calendar.hours_of(None if pd.isna(t) else t)) for t in teams]
    return pd.DataFrame({"supervisor_id": supervisors["supervisor_id"].astype(str).to_numpy(),
                         "cal": np.asarray(cal, dtype="int64")})
