"""Coaching during the period: period-to-date indicators, projections and early warnings.

- :func:`cut_dataset` — the dataset as known at an as-of instant (nothing later).
- :func:`period_to_date` — every indicator on ``[start(P), as_of)``.
- :func:`check_as_of` — the as-of instants a watch of a period accepts, ``(start, end]``.
- :func:`watch` — period-end projections of the policy's result indicators with an
  interval and the probability of missing the target, and warnings with reasons.
- :func:`feedback_section` / :func:`feedback_table` / :func:`show_feedback` — one
  supervisor's mid-period coaching section for the feedback page; :func:`cached_watch`
  computes :func:`watch` once for all the pages of a run; :func:`show_mid_period` is the
  feedback notebook's mid-period cell.
"""
from __future__ import annotations

from perfmodel.analysis.watch.core import (
    PROJECTION_COLUMNS, WARNING_COLUMNS, WatchResult, check_as_of, history_periods, partial_period,
    period_to_date, rule_target, watch,
)
from perfmodel.data.cut import as_of_timestamp, cut_dataset
from perfmodel.analysis.watch.cache import cached_watch
from perfmodel.analysis.watch.feedback import (
    coaching_watch, feedback_section, feedback_table, show_feedback, show_mid_period,
)

__all__ = ["PROJECTION_COLUMNS", "WARNING_COLUMNS", "WatchResult", "as_of_timestamp", "cached_watch",
           "check_as_of",
           "coaching_watch", "cut_dataset", "feedback_section", "feedback_table", "history_periods",
           "partial_period", "period_to_date", "rule_target", "show_feedback", "show_mid_period", "watch"]
