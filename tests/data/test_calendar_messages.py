"""The working calendar's messages in English and Chinese (calendar.yaml problems, uncovered years)."""
from __future__ import annotations

import string
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest

from perfmodel.core.errors import DataError, PerfmodelWarning
from perfmodel.core.i18n import LABELS
from perfmodel.data.workcalendar import CalendarError, CalendarWarning, WorkCalendar, load_calendar

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, en, zh", [
    ("hours: {start: '9am'}\n", "hours.start: '9am' is not a time of day; write HH:MM",
     "hours.start：'9am' 不是时刻；请写成 HH:MM"),
    ("hours: {start: '18:00', end: '09:00'}\n", "hours.end: the working day ends before it starts",
     "hours.end：下班时间早于上班时间"),
    ("teams:\n  华东: {lunch: ['13:00', '12:00']}\n", "teams.华东.lunch: the break must lie inside",
     "teams.华东.lunch：午休必须位于工作时间之内"),
    ("holidays: [2027-13-01]\n", "holidays: '2027-13-01' is not a date; write YYYY-MM-DD",
     "holidays：'2027-13-01' 不是日期；请写成 YYYY-MM-DD"),
    ("weekends: [sat]\n", "weekends: unknown key; use one of hours, teams, holidays, make_up_days, note",
     "weekends：未知的键；请使用 hours, teams, holidays, make_up_days, note 之一"),
    ("holidays: [2027-01-01]\nmake_up_days: [2027-01-01]\n",
     "make_up_days: 2027-01-01 is also listed under holidays", "2027-01-01 同时列在 holidays 下"),
    ("hours: [09:00\n", "not valid YAML", "不是有效的 YAML"),
])
def test_each_calendar_error_in_both_languages(tmp_path, text, en, zh):
    (tmp_path / "calendar.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError) as err:
        load_calendar(tmp_path)
    assert isinstance(err.value, DataError)  # the command line still exits 2
    assert en in str(err.value) and en in err.value.text(lang="en")
    worded = err.value.text(lang="zh")
    assert zh in worded and "calendar.yaml" in worded and "\n" not in worded


def test_an_uncovered_year_warns_in_both_languages():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        WorkCalendar().working_days(date(2027, 1, 1), date(2027, 1, 4))
    assert len(caught) == 1 and issubclass(caught[0].category, PerfmodelWarning)
    w = caught[0].message
    assert isinstance(w, CalendarWarning)
    assert str(w) == ("calendar.yaml: no official holidays or make-up days known for 2027; these years run "
                      "Monday to Friday -- list them under holidays: and make_up_days: in calendar.yaml")
    assert w.text(lang="zh") == ("calendar.yaml：未知 2027 年的法定节假日和调休工作日，这些年份按周一至周五计算工作日"
                            "——请在 calendar.yaml 的 holidays: 和 make_up_days: 下列出")


def test_every_calendar_message_has_both_languages_with_the_same_fields():
    keys = [k for k in LABELS if k.startswith("calendar_")]
    assert len(keys) >= 12
    for key in keys:
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(LABELS[key][lang]) if f}
                  for lang in ("en", "zh")}
        assert fields["en"] == fields["zh"], key


def test_the_command_line_words_the_error_in_chinese_with_lang_zh(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("supervisors", "tickets"):
        (folder / f"{name}.csv").write_bytes((ROOT / "data" / "sample" / f"{name}.csv").read_bytes())
    (folder / "calendar.yaml").write_text("hours: {start: '25:00'}\n", encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "perfmodel", "indicators", "--data", str(folder), "--period", "2026Q3",
           "--out", str(tmp_path / "out.csv")]
    zh = subprocess.run(cmd + ["--lang", "zh"], capture_output=True, text=True, env=env)
    assert zh.returncode == 2 and "Traceback" not in zh.stderr
    lines = zh.stderr.strip().splitlines()
    assert len(lines) == 1 and "hours.start：'25:00' 不是时刻；请写成 HH:MM" in lines[0], zh.stderr
    en = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert en.returncode == 2 and "hours.start: '25:00' is not a time of day" in en.stderr


# --------------------------------------------------------------------------- a database's calendar table

def _duckdb_with_calendar(path: Path, rows: list[str]) -> Path:
    """A DuckDB file with the sample's supervisors and tickets and a calendar table of these rows."""
    import duckdb

    con = duckdb.connect(str(path))
    for name in ("supervisors", "tickets"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{ROOT / 'data' / 'sample' / (name + '.csv')}', "
                    f"all_varchar=true)")
    con.execute("CREATE TABLE calendar (yaml VARCHAR)")
    for text in rows:
        con.execute("INSERT INTO calendar VALUES (?)", [text])
    con.close()
    return path


def _table_calendar(path: Path):
    from perfmodel.data.dbsource import as_database
    from perfmodel.data.workcalendar import calendar_from_database

    return calendar_from_database(as_database(path))


@pytest.mark.parametrize("rows, en, zh", [
    (["hours: {start: '9am'}\n"], "hours.start: '9am' is not a time of day; write HH:MM",
     "hours.start：'9am' 不是时刻；请写成 HH:MM"),
    (["hours: [09:00\n"], "not valid YAML", "不是有效的 YAML"),
    (["hours: {start: '09:00'}\n", "note: twice\n"],
     "expected one row with a text column yaml holding the calendar.yaml text; got 2 rows, columns yaml",
     "应为一行、含文本列 yaml（内容为 calendar.yaml 的文本）；实际为 2 行，列 yaml"),
])
def test_a_database_calendar_error_in_both_languages(tmp_path, rows, en, zh):
    path = _duckdb_with_calendar(tmp_path / "helpdesk.duckdb", rows)
    with pytest.raises(CalendarError) as err:
        _table_calendar(path)
    assert isinstance(err.value, DataError)
    assert en in str(err.value) and en in err.value.text(lang="en")
    worded = err.value.text(lang="zh")
    # named as the table of the database, not as a calendar.yaml file
    assert zh in worded and worded.startswith("helpdesk.duckdb:calendar") and "\n" not in worded


def test_an_uncovered_year_of_a_database_calendar_warns_in_both_languages(tmp_path):
    path = _duckdb_with_calendar(tmp_path / "helpdesk.duckdb", ["hours: {start: '09:00', end: '18:00'}\n"])
    calendar = _table_calendar(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calendar.working_days(date(2027, 1, 1), date(2027, 1, 4))
    assert len(caught) == 1 and isinstance(caught[0].message, CalendarWarning)
    w = caught[0].message
    assert str(w) == ("helpdesk.duckdb:calendar: no official holidays or make-up days known for 2027; these "
                      "years run Monday to Friday -- list them under holidays: and make_up_days: in the yaml "
                      "text of the calendar table")
    assert w.text(lang="zh") == ("helpdesk.duckdb:calendar：未知 2027 年的法定节假日和调休工作日，这些年份按周一至周五"
                            "计算工作日——请在 calendar 表 yaml 文本的 holidays: 和 make_up_days: 下列出")


def test_the_command_line_words_a_database_calendar_error_in_chinese(tmp_path):
    path = _duckdb_with_calendar(tmp_path / "helpdesk.duckdb", ["hours: [09:00\n"])
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "perfmodel", "indicators", "--data", str(path), "--period", "2026Q3",
           "--out", str(tmp_path / "out.csv")]
    zh = subprocess.run(cmd + ["--lang", "zh"], capture_output=True, text=True, env=env)
    assert zh.returncode == 2 and "Traceback" not in zh.stderr
    lines = zh.stderr.strip().splitlines()
    assert len(lines) == 1 and "helpdesk.duckdb:calendar: line 2 不是有效的 YAML" in lines[0], zh.stderr
    en = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert en.returncode == 2 and "helpdesk.duckdb:calendar: line 2 not valid YAML" in en.stderr, en.stderr
