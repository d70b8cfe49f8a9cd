"""What the report notebooks show: tables, charts and text in English or Chinese.

The notebooks hold parameters and one call per section; everything they display is built
here from the data by perfmodel's own functions (indicators, scoring, stats, profiling,
sensitivity, the SMART check, audit). Each ``show_*`` function displays a heading and its
content; the ``*_table`` functions return plain DataFrames for reuse and tests.

The content lives in one module per page (:mod:`~perfmodel.reporting.display`, :mod:`~perfmodel.reporting.context`, :mod:`~perfmodel.reporting.quarterly`, :mod:`~perfmodel.reporting.feedback_page`, :mod:`~perfmodel.reporting.validity_page`, :mod:`~perfmodel.reporting.audit_page`); this module gathers their names for the notebooks.

Tables are displayed as HTML without random ids, and figures as PNG, so that an executed
notebook is reproducible cell by cell (nbval).
"""
from __future__ import annotations

from perfmodel.reporting.display import (  # noqa: F401
    NOT_COUNTS,
    WRAP_COLUMNS,
    count_columns,
    figure,
    heading,
    html_table,
    md_escape,
    table,
    text,
)
from perfmodel.reporting.context import (  # noqa: F401
    ReportContext,
    build_context,
)
from perfmodel.reporting.quarterly import (  # noqa: F401
    BOOTSTRAP_BELOW,
    RATE_INDICATORS,
    SMART_LETTERS,
    clip_rates,
    data_quality_tables,
    draws_note,
    fragility_table,
    funnel_flags,
    indicator_table,
    manifest_table,
    movers,
    rating_counts,
    rating_label,
    scores_table,
    show_adjustments,
    show_data_quality,
    show_fragility,
    show_funnels,
    show_headline,
    show_indicators,
    show_manifest,
    show_result_vs_process,
    show_scores,
    show_smart,
    show_title,
    show_trends,
    show_validity,
    smart_table,
    title_key,
    validity_table,
)
from perfmodel.reporting.feedback_page import (  # noqa: F401
    own_indicator_table,
    percentile_of,
    pick_supervisor,
    show_feedback_title,
    show_own_trend,
    show_position,
    show_strengths_gaps,
    show_targets,
    strengths_and_gaps,
)
from perfmodel.reporting.validity_page import (  # noqa: F401
    show_reliability,
    show_validity_by_lag,
)
from perfmodel.reporting.audit_page import (  # noqa: F401
    AuditContext,
    build_audit_context,
    rating_changes,
    show_policy_effect,
    show_recorded_policy,
    show_verification,
)
from perfmodel.scoring.targets import PERCENTILE_TARGET, band_target, fmt_value, target_text
from perfmodel.scoring.targets import meets as met_target
from perfmodel.reporting.mid_period import mark_partial, mid_period_context, provisional, show_coaching, word
from perfmodel.reporting.derivation import show_derivation
from perfmodel.reporting.judgement import show_judgement
from perfmodel.reporting.review import show_rating_review
from perfmodel.reporting.mid_period import show_note as show_provisional_note

__all__ = [
    'AuditContext', 'BOOTSTRAP_BELOW', 'NOT_COUNTS', 'PERCENTILE_TARGET', 'RATE_INDICATORS',
    'ReportContext', 'SMART_LETTERS', 'WRAP_COLUMNS', 'band_target', 'build_audit_context',
    'build_context', 'clip_rates', 'count_columns', 'data_quality_tables', 'draws_note',
    'figure', 'fmt_value', 'fragility_table', 'funnel_flags', 'heading', 'html_table',
    'indicator_table', 'manifest_table', 'mark_partial', 'md_escape', 'met_target',
    'mid_period_context', 'movers', 'own_indicator_table', 'percentile_of', 'pick_supervisor',
    'provisional', 'rating_changes', 'rating_counts', 'rating_label', 'scores_table',
    'show_adjustments', 'show_coaching', 'show_data_quality', 'show_derivation',
    'show_feedback_title', 'show_fragility', 'show_funnels', 'show_headline', 'show_indicators',
    'show_judgement', 'show_manifest', 'show_own_trend', 'show_policy_effect', 'show_position',
    'show_provisional_note', 'show_rating_review', 'show_recorded_policy', 'show_reliability',
    'show_result_vs_process', 'show_scores', 'show_smart', 'show_strengths_gaps',
    'show_targets', 'show_title', 'show_trends', 'show_validity', 'show_validity_by_lag',
    'show_verification', 'smart_table', 'strengths_and_gaps', 'table', 'target_text', 'text',
    'title_key', 'validity_table', 'word',
]
