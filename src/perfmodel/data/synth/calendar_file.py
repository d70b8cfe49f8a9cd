"""The ``calendar.yaml`` a synthetic company works by (working hours of the business-hours clocks)."""
from __future__ import annotations

from perfmodel.data.workcalendar import CALENDAR_FILE

# Teams of southern regions keep the long midday break common there.
_LONG_BREAK_REGIONS = ("华南",)

_HEADER = """\
# Working calendar of the business-hours indicators (docs/indicators.md).
# Official holidays and make-up working days (调休) come from the chinesecalendar package;
# list them here under holidays: / make_up_days: for a year it does not cover yet.
hours: {start: "09:00", end: "18:00", lunch: ["12:00", "13:00"]}
"""


def calendar_text(teams) -> str:
    """The text of the synthetic company's ``calendar.yaml``.

    Every team works 09:00–18:00 with a lunch break 12:00–13:00; the teams of the
    southern regions start at 08:30 and break 12:00–14:00. No randomness: the same teams
    give the same bytes.

    Returns
    -------
    str
        YAML text (UTF-8 when written).

    Examples
    --------
    Teams of 华南 (southern China) start at 08:30 and keep a two-hour midday break:

    >>> print(calendar_text(["华东一组", "华南一组"]))
    # Working calendar of the business-hours indicators (docs/indicators.md).
    # Official holidays and make-up working days (调休) come from the chinesecalendar package;
    # list them here under holidays: / make_up_days: for a year it does not cover yet.
    hours: {start: "09:00", end: "18:00", lunch: ["12:00", "13:00"]}
    teams:
      华南一组: {start: "08:30", end: "17:30", lunch: ["12:00", "14:00"]}
    <BLANKLINE>
    >>> "teams:" in calendar_text(["华东一组"])
    False
    """
    south = sorted({str(t) for t in teams if str(t).startswith(_LONG_BREAK_REGIONS)})
    if not south:
        return _HEADER
    lines = [_HEADER + "teams:"]
    for team in south:
        lines.append(f'  {team}: {{start: "08:30", end: "17:30", lunch: ["12:00", "14:00"]}}')
    return "\n".join(lines) + "\n"


def write_calendar(folder, teams):
    """Write ``calendar.yaml`` into ``folder``; return its path.

    Examples
    --------
    The file written is one the loader reads: seven working hours a day in the south, eight
    elsewhere:

    >>> import tempfile
    >>> from perfmodel.data.workcalendar import load_calendar
    >>> path = write_calendar(tempfile.mkdtemp(), ["华东一组", "华南一组"])
    >>> path.name
    'calendar.yaml'
    >>> calendar = load_calendar(path.parent)
    >>> calendar.hours_of("华南一组").length / 3_600_000_000, calendar.hours_of("华东一组").length / 3_600_000_000
    (7.0, 8.0)
    """
    from pathlib import Path

    path = Path(folder) / CALENDAR_FILE
    path.write_bytes(calendar_text(teams).encode("utf-8"))
    return path
