"""Command-line guards: periods outside the data, outputs that cannot or must not be written,
CSV with a byte-order mark, quarantine summaries, panels in GBK, Chinese listings, messages."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.core.errors import PerfmodelError
from perfmodel.data.exports import write_table

ROOT = Path(__file__).resolve().parents[2]
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


# --------------------------------------------------------------------------- periods outside the data

NOT_IN_DATA = ("perfmodel: error: period 2030Q1: not in the data at {data} (the data covers 2024Q3..2026Q3); "
               "pick a period in that range\n")


@pytest.mark.parametrize("argv", [
    ["score", "--policy", "efficiency", "--out", "{tmp}/s.csv"],
    ["indicators", "--out", "{tmp}/i.csv"],
    ["sensitivity", "--policy", "efficiency", "--draws", "50"],
    ["policy", "diff", "efficiency", "quality"],
    ["watch", "--as-of", "2030-02-01"],
])
def test_a_period_outside_the_data_is_refused(tmp_path, capsys, argv):
    argv = [a.format(tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, *argv, "--data", SAMPLE, "--period", "2030Q1")
    assert code == 2
    assert err.endswith(NOT_IN_DATA.format(data=SAMPLE))
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_month_outside_the_data_is_refused_too(tmp_path, capsys):
    # the sample's first event is a training completed on 2024-09-02, so September 2024 is in the data
    code, _, err = run(capsys, "indicators", "--data", SAMPLE, "--period", "2024-08", "--out", tmp_path / "i.csv")
    assert code == 2
    assert err == (f"perfmodel: error: period 2024-08: not in the data at {SAMPLE} (the data covers "
                   f"2024-09..2026-09); pick a period in that range\n")


def test_the_report_runner_still_checks_periods():
    from perfmodel.data.loader import load_dataset
    from perfmodel.core.periods import check_period
    from perfmodel.reporting.runner import check_period as runner_check

    assert runner_check is check_period
    data = load_dataset(SAMPLE)
    assert check_period(data, "2024Q4") == "2024Q4"
    assert check_period(data, "2026-09") == "2026-09"


# --------------------------------------------------------------------------- outputs over the inputs

def test_out_over_a_table_of_the_data_is_refused(tmp_path, capsys):
    data = tmp_path / "d"
    shutil.copytree(SAMPLE, data)
    before = (data / "tickets.csv").read_bytes()
    for name in ("tickets.csv", "Tickets.parquet", "staff.xlsx"):
        code, _, err = run(capsys, "score", "--data", data, "--policy", "efficiency", "--out", data / name)
        assert code == 2
        assert err == (f"perfmodel: error: --out {data / name}: the dataset {data} reads this file as a "
                       f"table; write outside the data folder\n")
    assert (data / "tickets.csv").read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())


def test_out_as_the_policy_file_is_refused(tmp_path, capsys):
    policy = tmp_path / "p.csv"
    policy.write_text("not read\n")
    code, _, err = run(capsys, "sensitivity", "--data", SAMPLE, "--policy", policy, "--period", "2026Q3",
                       "--out", policy)
    assert code == 2
    assert err == f"perfmodel: error: --out {policy}: is the policy file; choose another file\n"
    assert policy.read_text() == "not read\n"


def test_synth_refuses_a_folder_with_a_dataset_unless_forced(tmp_path, capsys):
    (tmp_path / "tickets.csv").write_text("ticket_id\nT1\n")
    (tmp_path / "notes.txt").write_text("mine\n")
    argv = ["synth", "--out", tmp_path, "--supervisors", "2", "--tickets", "40", "--start", "2026Q3"]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err == (f"perfmodel: error: --out {tmp_path}: already holds a dataset (tickets.csv); "
                   f"give a new folder, or --force to replace it\n")
    assert (tmp_path / "tickets.csv").read_text() == "ticket_id\nT1\n"
    code, _, _ = run(capsys, *argv, "--force")
    assert code == 0
    assert (tmp_path / "tickets.csv").read_text() != "ticket_id\nT1\n"
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_synth_into_a_folder_of_other_files_is_fine(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n")
    code, _, _ = run(capsys, "synth", "--out", tmp_path, "--supervisors", "2", "--tickets", "40",
                     "--start", "2026Q3")
    assert code == 0
    assert (tmp_path / "tickets.csv").exists()


# --------------------------------------------------------------------------- quarantined rows

def small_dataset(folder: Path) -> Path:
    """Two supervisors, four tickets: one of an unknown supervisor, one with a date that cannot be read."""
    folder.mkdir()
    (folder / "supervisors.csv").write_text("supervisor_id,name\nS1,王芳\nS2,李雷\n", encoding="utf-8")
    (folder / "tickets.csv").write_text(
        "ticket_id,supervisor_id,created_at\n"
        "T1,S1,2026-07-01T09:00:00\n"
        "T2,S2,2026-07-02T09:00:00\n"
        "T3,S9,2026-07-03T09:00:00\n"
        "T4,S1,not a date\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["indicators"], ["score", "--policy", "efficiency"]])
def test_quarantined_rows_are_counted_and_written(tmp_path, capsys, command):
    data = small_dataset(tmp_path / "d")
    code, _, err = run(capsys, *command, "--data", data, "--period", "2026Q3", "--out", tmp_path / "o.csv")
    assert code == 0
    assert err == "tickets: 4 read = 2 used + 2 quarantined (see --quarantine FILE)\n"
    q = tmp_path / "q.csv"
    code, _, err = run(capsys, *command, "--data", data, "--period", "2026Q3", "--out", tmp_path / "o.csv",
                       "--quarantine", q)
    assert code == 0
    assert err == f"tickets: 4 read = 2 used + 2 quarantined (written to {q})\n"
    table = pd.read_csv(q, dtype=str)
    assert list(table.columns) == ["table", "file", "row", "column", "reason", "record", "reason_code", "reason_params"]
    assert table["table"].tolist() == ["tickets", "tickets"]
    assert sorted(table["row"].tolist()) == ["4", "5"]  # spreadsheet rows 4 (T3) and 5 (T4)
    assert sorted(table["column"].tolist()) == ["created_at", "supervisor_id"]


def test_a_clean_dataset_prints_no_quarantine_line(tmp_path, capsys):
    code, _, err = run(capsys, "indicators", "--data", SAMPLE, "--period", "2026Q3", "--out", tmp_path / "i.csv",
                       "--indicator", "csat")
    assert code == 0
    assert err == ""


# --------------------------------------------------------------------------- messages

def test_weight_sums_are_shown_without_float_noise(tmp_path):
    from perfmodel.core.errors import PolicyError
    from perfmodel.scoring.policy import load_policy

    text = load_policy("efficiency").text
    assert "dimensions: {result: 0.65, process: 0.35}" in text
    path = tmp_path / "p.yaml"
    # 0.7 + 0.35 is 1.0499999999999998 in floating point
    path.write_text(text.replace("dimensions: {result: 0.65, process: 0.35}",
                                 "dimensions: {result: 0.7, process: 0.35}"), encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    assert "dimension weights sum to 1.05, not 1; make them sum to 1" in str(exc.value)
    assert "1.0499" not in str(exc.value)


def test_an_unknown_indicator_gets_a_suggestion(tmp_path, capsys):
    code, _, err = run(capsys, "indicators", "--data", SAMPLE, "--indicator", "cast", "--out", tmp_path / "i.csv")
    assert code == 2
    assert err == ("perfmodel: error: indicator 'cast' is not in the catalogue; did you mean 'csat'? "
                   "see `perfmodel indicators --list`\n")


def test_an_unknown_indicator_far_from_any_has_no_suggestion():
    from perfmodel.core.errors import UsageError
    from perfmodel.indicators import compute_indicators

    with pytest.raises(UsageError) as exc:
        compute_indicators(SAMPLE, "2026Q3", indicators=["zzzz"])
    assert str(exc.value) == "indicator 'zzzz' is not in the catalogue; see `perfmodel indicators --list`"


# --------------------------------------------------------------------------- the catalogue in Chinese

def test_listing_in_chinese_has_chinese_headers_and_values(capsys):
    code, out, _ = run(capsys, "indicators", "--list", "--lang", "zh")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["编号", "指标名称", "维度", "方向", "单位", "定义"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    # csat: a result, higher is better, a score; first_response_hours: a process, lower is
    # better, in hours; complaint_resolution_rate: a share; csat_speed: diagnostic
    assert rows["csat"][1:5] == ["客户满意度", "结果", "越高越好", "评分"]
    assert rows["first_response_hours"][2:5] == ["过程", "越低越好", "小时"]
    assert rows["complaint_resolution_rate"][2:5] == ["结果", "越高越好", "占比"]
    assert rows["csat_speed"][2] == "诊断"
    for word in ("result", "process", "higher", "lower", "share", "score", "hours"):
        assert f" {word} " not in out


def test_listing_in_english_is_unchanged(capsys):
    code, out, _ = run(capsys, "indicators", "--list")
    assert code == 0
    assert out.splitlines()[0].split() == ["id", "name", "dimension", "direction", "unit", "definition"]
    row = next(line for line in out.splitlines() if line.startswith("first_response_hours "))
    assert " process " in row and " lower " in row and " hours " in row


# --------------------------------------------------------------------------- report names its data

@pytest.fixture
def no_run(monkeypatch, tmp_path):
    """Let ``perfmodel report`` validate its parameters, then stand in for the run itself."""
    from perfmodel.reporting import runner

    def fake(spec, dataset):
        return [runner.RunResult(spec.periods[0], "x", tmp_path / "run", "complete", tmp_path / "run" / "r.html")]

    monkeypatch.setattr(runner, "run_reports", fake)


def test_report_names_the_bundled_sample_when_data_is_left_out(tmp_path, capsys, no_run):
    code, out, err = run(capsys, "report", "--period", "2026Q3", "--out", tmp_path / "r")
    assert code == 0
    assert err == "data: data/sample (the bundled synthetic sample)\n"
    assert out.splitlines()[-1] == str(tmp_path / "run" / "r.html")


def test_report_names_the_data_folder_given(tmp_path, capsys, no_run):
    data = small_dataset(tmp_path / "d")
    code, _, err = run(capsys, "report", "--period", "2026Q3", "--data", data, "--out", tmp_path / "r")
    assert code == 0
    assert err == f"data: {data}\n"


def test_a_bad_report_parameter_stays_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "report", "--period", "2030Q1", "--out", tmp_path / "r")
    assert code == 2
    assert err == NOT_IN_DATA.format(data=SAMPLE)


# --------------------------------------------------------------------------- panels saved by Excel

def test_a_gbk_panel_is_read(tmp_path):
    from perfmodel.cli.weights import load_panel

    path = tmp_path / "wide_gbk.csv"
    text = "supervisor_id,period,csat\n主管001,2026Q3,4.5\n主管002,2026Q3,3.9\n主管001,2026Q2,4.0\n"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(UnicodeDecodeError):  # the file really is not UTF-8
        path.read_bytes().decode("utf-8")
    panel = load_panel(None, str(path), ["2026Q3"])
    assert panel["supervisor_id"].tolist() == ["主管001", "主管002"]
    assert panel["csat"].tolist() == [4.5, 3.9]


def test_a_bom_panel_written_by_perfmodel_is_read(tmp_path):
    from perfmodel.cli.weights import load_panel

    path = write_table(pd.DataFrame({"supervisor_id": ["主管001"], "period": ["2026Q3"], "csat": [4.25]}),
                       tmp_path / "wide.csv")
    panel = load_panel(None, str(path), None)
    assert list(panel.columns) == ["supervisor_id", "period", "csat"]
    assert panel.iloc[0].tolist() == ["主管001", "2026Q3", 4.25]


def test_a_long_table_given_as_a_panel_says_so(tmp_path, capsys):
    path = tmp_path / "long.csv"
    path.write_text("supervisor_id,period,indicator,value,numerator,denominator,available\n"
                    "S001,2026Q3,csat,4.5,45,10,True\n", encoding="utf-8")
    code, _, err = run(capsys, "sensitivity", "--panel", path, "--policy", "efficiency", "--period", "2026Q3",
                       "--draws", "50")
    assert code == 2
    assert err == (f"perfmodel: error: {path}: looks like a long table (supervisor_id, period, indicator, "
                   f"value); write it with perfmodel indicators --wide\n")


def test_trusted_parquet_data_checks_the_period_too(tmp_path, capsys):
    data = tmp_path / "pq"
    code, _, _ = run(capsys, "synth", "--out", data, "--supervisors", "2", "--tickets", "60",
                     "--start", "2026Q2", "--end", "2026Q3", "--format", "parquet")
    assert code == 0
    # synth's training rows due in 2026Q2 may be completed up to a month early, in 2026Q1: an event
    # of skill_gain, so 2026Q1 is in the data; 2025Q4 is not
    code, _, err = run(capsys, "indicators", "--data", data, "--trusted", "--period", "2025Q4",
                       "--out", tmp_path / "i.csv")
    assert code == 2
    assert err == (f"perfmodel: error: period 2025Q4: not in the data at {data} (the data covers "
                   f"2026Q1..2026Q3); pick a period in that range\n")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_an_output_where_no_file_can_be_made_is_one_line(suffix):
    # /proc accepts no new files: open() fails (for .xlsx inside xlsxwriter's FileCreateError)
    target = Path("/proc") / f"x{suffix}"
    with pytest.raises(PerfmodelError) as exc:
        write_table(pd.DataFrame({"a": [1]}), target)
    assert str(exc.value) == f"--out {target}: cannot write (no such file or directory); choose another file"


def test_quarantine_lines_in_the_commands_language(tmp_path, capsys):
    data = small_dataset(tmp_path / "d")
    code, _, err = run(capsys, "weights", "--method", "entropy", "--policy", "efficiency", "--data", data,
                       "--out", tmp_path / "n.yaml", "--lang", "zh")
    lines = err.splitlines()
    assert lines[0] == "tickets：读取 4 行 = 使用 2 行 + 隔离 2 行（用 perfmodel indicators --quarantine FILE 列出）"
    assert code == 2 and len(lines) == 2 and lines[1].startswith("perfmodel: error: 只有 ")  # too few rows, in Chinese


def test_the_report_data_line_in_chinese():
    from perfmodel.cli.report import data_line

    assert data_line("data/sample", lang="zh") == "数据：data/sample（随附的合成示例数据）"
    assert data_line("postgresql://hr:secret@db.example.com/perf", lang="zh") == "数据：postgresql://hr@db.example.com/perf"


def test_a_command_without_quarantine_option_names_one_that_has_it(tmp_path, capsys):
    # weights has no --quarantine option: its count line must not send the user to one
    data = small_dataset(tmp_path / "d")
    code, _, err = run(capsys, "weights", "--method", "entropy", "--policy", "efficiency", "--data", data,
                       "--period-range", "2026Q3:2026Q3", "--out", tmp_path / "w.yaml")
    assert code == 2  # two supervisors cannot weigh anything; the count comes first
    assert err.splitlines()[0] == ("tickets: 4 read = 2 used + 2 quarantined "
                                   "(perfmodel indicators --quarantine FILE lists them)")
    assert "see --quarantine" not in err
