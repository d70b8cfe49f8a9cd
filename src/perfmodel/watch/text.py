"""The words of ``perfmodel watch`` in English and Chinese: printed lines and error messages.

Every sentence the watch command prints or raises comes from :data:`TEXT`, so a run with
``--lang zh`` speaks Chinese throughout. Indicator names come from the catalogue and the
verdict words from :mod:`perfmodel.i18n`.
"""
from __future__ import annotations

import pandas as pd

TEXT: dict[str, dict[str, str]] = {
    # printed lines
    "headline": {
        "en": "{period} as of {as_of} ({days} of {total} days): {n_risk} of {n_all} supervisors at "
              "risk (p_miss >= {threshold}) on {n_results} results; {n_reason} with a process "
              "indicator that predicts it",
        "zh": "{period} 截至 {as_of}（不含当日，{total} 天中已过 {days} 天）：{n_all} 位主管中 "
              "{n_risk} 位有未达目标风险（未达目标概率 ≥ {threshold}），涉及 {n_results} 项结果指标；"
              "其中 {n_reason} 项有可预测它的过程指标",
    },
    "result_line": {
        "en": "  {ind} ({name}): p_miss {p:.2f}; projected {projected} (80 % {low} to {high}) vs "
              "target {target}; so far {so_far}",
        "zh": "  {ind}（{name}）：未达目标概率 {p:.2f}；预计期末 {projected}（80% 区间 {low} 至 "
              "{high}），目标 {target}；目前 {so_far}",
    },
    "no_driver": {
        "en": "Results at risk without a process line: no process indicator with verdict 'predicts' is "
              "behind its reference.",
        "zh": "未列出过程指标的风险结果：没有结论为“{predicts}”的过程指标落后于其参考值。",
    },
    "driver_line": {
        "en": "    {driver} [coef {coef:.3g}, p_adj {p_adj:.2g}, {verdict}]: {suggestion}",
        "zh": "    {driver}（{name}）[系数 {coef:.3g}，校正 p 值 {p_adj:.2g}，{verdict}]：{suggestion}",
    },
    # errors
    "as_of_first_instant": {
        "en": "--as-of {as_of} is the first instant of {period}: nothing has happened yet; give a "
              "later time inside {period} (after {start} and at most {end})",
        "zh": "--as-of {as_of} 是 {period} 的第一个时刻：该期还没有发生任何事；请给出 {period} 内更晚的"
              "时间（晚于 {start}，且不晚于 {end}）",
    },
    "as_of_outside": {
        "en": "--as-of {as_of}: must fall inside {period}: after {start} and at most {end} "
              "(as a date: {first_day} to {last_day})",
        "zh": "--as-of {as_of}：不在 {period} 内；请给出晚于 {start} 且不晚于 {end} 的时间"
              "（按日期：{first_day} 至 {last_day}）",
    },
    "as_of_out_of_span": {
        "en": "--as-of {as_of!r}: outside the dates that can be computed ({first} to {last}); "
              "use a date of the data like 2026-08-15",
        "zh": "--as-of {as_of!r}：超出可计算的日期范围（{first} 至 {last}）；请使用数据内的日期，如 2026-08-15",
    },
    "not_a_date": {
        "en": "--as-of {as_of!r}: not a date; use YYYY-MM-DD or an ISO 8601 date-time",
        "zh": "--as-of {as_of!r}：不是日期；请使用 YYYY-MM-DD 或 ISO 8601 日期时间",
    },
    "kind_mismatch": {
        "en": "--period {period} is a {kind} but policy {policy!r} sets {policy_kind} targets; give a "
              "{policy_kind} or a policy with period: {kind}",
        "zh": "--period {period} 是{kind_zh}，但评分政策 {policy!r} 设定的是{policy_kind_zh}目标；"
              "请给出一个{policy_kind_zh}，或使用 period: {kind} 的评分政策",
    },
    "threshold": {
        "en": "--threshold {threshold}: use a probability between 0 and 1",
        "zh": "--threshold {threshold}：请给出 0 到 1 之间的概率",
    },
}

PERIOD_KIND_ZH = {"quarter": "季度", "month": "月份"}


def text(key: str, lang: str = "en", **values) -> str:
    """Return the sentence ``key`` in ``lang`` (``"en"`` or ``"zh"``) filled with ``values``.

    Returns
    -------
    str
        The formatted sentence; English when ``lang`` is not ``"zh"``.
    """
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**values)


def instant(ts: pd.Timestamp) -> str:
    """Format an instant as ``2026-07-01 00:00`` (seconds only when not zero)."""
    ts = pd.Timestamp(ts)
    if ts.second or ts.microsecond or ts.nanosecond:
        return str(ts)
    return ts.strftime("%Y-%m-%d %H:%M")


def as_of_error(ts: pd.Timestamp, period, lang: str = "en") -> str:
    """The message for an as-of instant outside ``(start(P), end(P)]``, the range :func:`watch` accepts.

    At ``start(P)`` nothing of the period has happened yet; ``end(P)`` (the first instant
    of the next period) is the whole period. A date ``D`` means ``D 00:00``, so the dates
    accepted are the day after the first day of the period up to the day after its last.

    Returns
    -------
    str
        One line naming the instant given and the accepted range.
    """
    values = dict(as_of=str(ts), period=period.id, start=instant(period.start), end=instant(period.end))
    if ts == period.start:
        return text("as_of_first_instant", lang, **values)
    first_day = (period.start + pd.Timedelta(days=1)).date()
    return text("as_of_outside", lang, first_day=first_day, last_day=period.end.date(), **values)
