"""The Examples sections of the public docstrings run as doctests."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import perfmodel

MODULES = sorted(m.name for m in pkgutil.walk_packages(perfmodel.__path__, "perfmodel.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist():
    # the doctests above must run something: a change that drops every example fails here
    finder = doctest.DocTestFinder()
    found = sum(len(t.examples) for name in MODULES
                for t in finder.find(importlib.import_module(name)))
    assert found >= 3


#: The public API of SPEC §5 and the package's top level, and the functions users call next
#: to it: each must keep a runnable Examples section (the list may grow, never shrink).
DOCUMENTED = {
    "perfmodel": ["load_dataset", "dataset_from_frames", "compute_indicators", "wide_panel",
                  "load_policy", "score"],
    "perfmodel.weights": ["ahp", "entropy", "critic", "pca"],
    "perfmodel.sensitivity": ["rank_uncertainty"],
    "perfmodel.profiling": ["funnel", "shrink_rates"],
    "perfmodel.pipeline": ["run_pipeline", "supervisor_names", "load", "indicators_step",
                           "resolve_period", "periods_for", "validate_source"],
    "perfmodel.analysis.explain": ["explain", "rule_text", "value_for_score", "derive"],
    "perfmodel.analysis.explain_text": ["number", "word", "render"],
    "perfmodel.analysis.lint": ["lint", "message"],
    "perfmodel.analysis.watch": ["watch"],
    "perfmodel.scoring.quotas": ["quota_effect", "counts_wide"],
    "perfmodel.scoring.adjustments": ["read_adjustments", "apply_adjustments", "quota_breaks"],
    "perfmodel.data.exports": ["write_table", "escape_formula"],
    "perfmodel.core.periods": ["parse_period", "period_kind", "period_containing", "period_range",
                               "label_periods", "covered_periods", "data_span", "data_periods",
                               "latest_complete_period", "check_period"],
    "perfmodel.core.catalogue": ["catalogue", "indicator_ids", "indicator", "direction",
                                 "dimension", "name", "ids_of"],
    # beyond SPEC §5: the other public functions of core/, scoring/ and analysis/ done so far
    "perfmodel.core.errors": ["did_you_mean"],
    "perfmodel.core.hashing": ["sha256_bytes"],
    "perfmodel.core.atomic": ["write_atomic"],
    "perfmodel.scoring.scores": ["rule_score", "indicator_scores", "contributions", "rate",
                                 "largest_remainder", "supervisor_groups", "forced_ratings"],
    "perfmodel.scoring.policy": ["presets", "policy_from_dict", "check_period_kind",
                                 "split_provenance", "parse_policy_yaml", "read_policy_text",
                                 "policy_from_text"],
    "perfmodel.scoring.diff": ["diff_policies", "compare_scores", "describe"],
    "perfmodel.scoring.goals": ["goals_table", "goal_status", "bind_goals", "goals_of",
                              "trusted_goals"],
    "perfmodel.analysis.weights": ["round_weights", "equal", "apply_weights", "read_pairwise_csv",
                                   "varimax", "weights_text", "method_name"],
    "perfmodel.analysis.profiling": ["fit_beta_binomial"],
    "perfmodel.analysis.sensitivity": ["sobol_indices", "phase_result_range", "with_rule"],
    "perfmodel.analysis.watch.projection": ["p_miss", "prior_means", "fit_projection", "predict",
                                            "projection_weights"],
    "perfmodel.analysis.rating_review": ["rating_review"],
    "perfmodel.analysis.goal_suggest": ["suggest_goals", "suggest_one"],
    "perfmodel.analysis.watch.core": ["partial_period", "check_as_of", "rule_target",
                                      "period_to_date", "history_periods"],
    "perfmodel.analysis.lint_goals": ["trend_slope", "reached", "goal_history", "lint_goals"],
    # data layer
    "perfmodel.data.cut": ["as_of_timestamp", "cut_dataset"],
    "perfmodel.data.lookalike": ["normal_id", "lookalike_ids"],
    "perfmodel.data.plausible": ["newest_anchor", "outside"],
    "perfmodel.data.rules": ["table_rules"],
    "perfmodel.data.parsing": ["date_fault", "parse_column", "as_text", "empty_column",
                               "open_end_cells"],
    "perfmodel.data.loader": ["show_progress"],
    "perfmodel.data.privacy": ["pseudonym", "pseudonymize", "pseudonymize_dataset",
                               "withhold_quarantine", "load_or_create_salt", "salt_for"],
    "perfmodel.data.readers": ["find_sources", "open_workbooks", "workbook_sheets", "read_source",
                               "header_names", "drop_blank_columns", "detect_encoding",
                               "mostly_utf8", "read_csv", "read_csv_cells", "csv_row_numbers",
                               "read_parquet", "read_sheet", "trusted_span"],
    "perfmodel.data.validation": ["pandera_schema", "validate_table", "too_large_reason",
                                  "lookalike_reason", "window_reason", "required_reason",
                                  "range_reason", "before_reason", "above_reason",
                                  "duplicate_reason", "parent_reason", "before_parent_reason"],
    "perfmodel.data.workcalendar": ["load_calendar", "calendar_from_database", "parse_calendar",
                                    "day_table", "supervisor_calendars"],
    "perfmodel.data.xlsx_guard": ["check_workbook", "long_cell_error", "cell_before",
                                  "formulas_without_value"],
    "perfmodel.data.synth": ["generate"],
    "perfmodel.data.synth.calendar_file": ["calendar_text", "write_calendar"],
    "perfmodel.data.synth.effects": ["ground_truth"],
    "perfmodel.data.synth.goals": ["goals_table"],
    "perfmodel.data.synth.judgement": ["default_raters", "judgement"],
    "perfmodel.data.synthetic": ["write_marker", "is_synthetic"],
    "perfmodel.data.dbsource": ["as_database", "public_url", "read_tables", "to_frame",
                                "table_digest", "describe_tables", "address"],
    "perfmodel.data.enginecheck": ["engine_checkable", "check_folder"],
    "perfmodel.data.sqlcells": ["ident", "literal", "text_sql", "cell_sql", "direct_sql"],
    "perfmodel.data.rawscan": ["scan_text_column"],
    "perfmodel.data.staticrules": ["column_stats", "guaranteed"],
    # indicators layer
    "perfmodel.indicators": ["required_tables", "resolve_periods", "ticket_clock_span",
                             "indicator_parameters", "catalogue_listing"],
    "perfmodel.indicators.definitions": ["period_key_of", "day_number", "tickets_family",
                                         "first_response_family", "ticket_events_family",
                                         "customers_family", "budgets_family", "audits_family",
                                         "peer_reviews_family", "manager_ratings_family",
                                         "self_assessments_family", "training_due_family",
                                         "training_done_family", "staff_family", "within_hours",
                                         "panel_expr"],
    "perfmodel.indicators.engines": ["to_arrow", "connect"],
    "perfmodel.indicators.leniency": ["reason_text", "overlap_problem", "correct_means",
                                      "correct_panel"],
    # audit layer
    "perfmodel.audit.ledger": ["read_key", "ledger_path", "reports_dir_of", "run_key", "entry_hash",
                               "entry_hmac", "append", "seal_run", "record_cache_removed",
                               "read_entries", "check_chain", "check_run"],
    "perfmodel.audit.manifest": ["input_files", "hash_inputs", "hash_outputs", "policy_text",
                                 "policy_identity", "load_policy_text", "describe_inputs",
                                 "compute_tables", "write_tables", "pseudonymize_tables",
                                 "is_pseudonymized", "library_versions", "build_manifest",
                                 "write_manifest", "read_manifest", "manifest_problem"],
    "perfmodel.audit.verify": ["check_run", "page_name", "quarantine_findings", "workbook_scores",
                               "unescape_formula", "verify_run"],
    "perfmodel.audit.runs": ["list_runs", "latest_run", "format_runs", "list_adjustments",
                             "format_adjustments"],
    "perfmodel.audit.published": ["css_problem", "workbook_findings", "page_findings"],
    # analysis layer
    "perfmodel.analysis.provisional": ["score_table", "period_values", "values_panel",
                                       "period_scores", "totals", "write_scores"],
    "perfmodel.analysis.weights.proposal": ["dataset_files", "policy_yaml", "write_policy"],
    "perfmodel.analysis.weights.from_evidence": ["evidence"],
    "perfmodel.analysis.weights.comparison": ["make_provenance", "plot_comparison"],
    "perfmodel.analysis.watch.cache": ["cache_key", "cached_watch"],
    "perfmodel.analysis.watch.feedback": ["feedback_table", "feedback_section", "show_feedback",
                                          "coaching_watch", "show_mid_period"],
    "perfmodel.analysis.watch.text": ["period_name", "text", "instant", "as_of_error"],
    "perfmodel.analysis.watch.reasons": ["fmt_value", "step_of", "suggestion", "drivers_for",
                                         "behind", "why_word", "projection_drivers",
                                         "projection_reason"],
    # pipeline and results
    "perfmodel.results": ["summarize", "save_results", "has_results", "missing_result",
                          "load_results"],
    # core layer
    "perfmodel.core.i18n": ["ordinal", "t", "indicator_label", "coaching_topic", "columns",
                            "table_label", "reason_text"],
    "perfmodel.core.messages": ["catalogue", "group", "entry", "check_lang", "text", "keys"],
    "perfmodel.core.owners": ["owner_record", "owner_state", "write_owner", "read_owner_file",
                              "scratch_root", "private_folder", "remove_stale"],
    "perfmodel.core.deprecation": ["keyword_only", "old_order"],
    # reporting layer
    "perfmodel.reporting.inert": ["visible"],
    "perfmodel.reporting.paths": ["repo_root", "notebooks_dir", "resolve_path"],
    "perfmodel.reporting.display": ["md_escape", "heading", "text", "html_table", "count_columns",
                                    "table", "figure"],
    "perfmodel.reporting.html": ["external_urls", "without_stderr", "notebook_to_html", "banner_html",
                                 "feedback_index"],
    "perfmodel.reporting.excel": ["write_workbook"],
    "perfmodel.reporting.runner": ["new_run_id", "create_run_dir", "writable_folder", "kernel_name",
                                   "notebook_parameters", "add_banner", "validate", "write_cache",
                                   "execute_notebook", "run_report", "run_period",
                                   "run_reports", "RunResult", "ReportSpec"],
    "perfmodel.reporting.cleanup": ["Cleanup", "claim", "release", "read_owner", "run_folders", "clean_stale"],
    "perfmodel.reporting.quarterly": ["rating_counts", "rating_label", "movers", "data_quality_tables",
                                      "title_key", "funnel_flags", "clip_rates", "draws_note",
                                      "fragility_table", "indicator_table", "scores_table",
                                      "show_title", "show_headline", "show_indicators", "show_scores",
                                      "show_result_vs_process", "show_trends", "show_funnels",
                                      "show_validity", "show_fragility", "validity_table",
                                      "smart_table", "show_smart", "show_data_quality",
                                      "manifest_table", "show_manifest", "show_adjustments"],
    "perfmodel.reporting.mid_period": ["word", "as_of_text", "mid_period_context", "mid_period_results",
                                       "show_coaching", "provisional", "basis_labels", "show_note",
                                       "mark_partial", "compute_mid_period"],
    "perfmodel.reporting.feedback_page": ["percentile_of", "pick_supervisor", "own_indicator_table",
                                          "strengths_and_gaps", "show_feedback_title", "show_position",
                                          "show_targets", "show_own_trend", "show_strengths_gaps"],
    "perfmodel.reporting.judgement": ["judgement_table", "leniency_status", "show_judgement"],
    "perfmodel.reporting.derivation": ["derivation", "show_derivation"],
    "perfmodel.reporting.calibration": ["pairwise_matrix", "matrix_csv", "methods_table", "show_title",
                                        "show_judgements", "fragile_table", "show_fragility",
                                        "save_policy", "show_methods"],
    "perfmodel.reporting.goals_page": ["goal_findings_summary", "goals_summary", "show_goals_summary",
                                       "own_goals", "show_own_goals_note", "goal_findings",
                                       "goal_errors", "show_goal_findings"],
    "perfmodel.reporting.context": ["build_context", "ReportContext"],
    "perfmodel.reporting.audit_page": ["AuditContext", "rating_changes", "build_audit_context", "show_verification",
                                       "show_recorded_policy", "show_policy_effect"],
    "perfmodel.reporting.review": ["show_rating_review", "show_quota_effect"],
    "perfmodel.reporting.validity_page": ["show_reliability", "show_validity_by_lag"],
    # cli layer
    "perfmodel.cli": ["build_parser", "main"],
    "perfmodel.cli.synth": ["register"],
    "perfmodel.cli.policy": ["register", "show", "check", "diff"],
    "perfmodel.cli.lint": ["register", "handler", "with_goal_findings", "display_goals", "source_label",
                           "display"],
    "perfmodel.cli.indicators": ["register", "aligned", "handler"],
    "perfmodel.cli.score": ["register", "run_for", "panel_for", "handler", "print_adjustments"],
    "perfmodel.cli.explain": ["register", "handler"],
    "perfmodel.cli.ratings": ["print_quota_effect", "register", "handler"],
    "perfmodel.cli.audit": ["register", "handle_verify", "handle_list"],
    "perfmodel.cli.goals": ["register", "suggest"],
    "perfmodel.cli.validity": ["register", "handler"],
    "perfmodel.cli.watch": ["register", "lines", "handler"],
    "perfmodel.cli.sensitivity": ["register", "handle"],
    "perfmodel.cli.weights": ["register", "period_ids", "load_panel", "read_panel_csv", "data_files",
                              "write_table", "handle"],
    "perfmodel.cli.report": ["register", "handle", "data_line", "signing_key", "clean"],
    # plotting and the rest
    "perfmodel.reporting.plotting": ["cjk_font_path", "register_cjk_font", "setup", "finish",
                                     "rate_axis", "percent_axis", "rating_distribution",
                                     "rating_palette", "result_process_scatter", "scatter_outliers",
                                     "score_trend", "indicator_trends", "own_trend",
                                     "attainment_bars", "fragility_plot", "validity_heatmap",
                                     "funnel_plot"],
    "perfmodel.analysis.weights.common": ["lopsided_warnings"],
    # the demo data of the Examples, one module per layer
    "perfmodel.data.demo": ["demo_supervisors", "demo_frames", "demo_dataset", "demo_folder",
                            "demo_tickets", "demo_training", "demo_adjustments", "demo_company",
                            "demo_history"],
    "perfmodel.indicators.demo": ["demo_panel", "demo_long", "demo_engine_context", "demo_rates", "demo_spread"],
    "perfmodel.scoring.demo": ["demo_policy", "demo_forced_scores"],
    "perfmodel.reporting.demo": ["demo_context", "demo_audit_context"],
}


@pytest.mark.parametrize("qualname", [f"{m}.{f}" for m, fs in DOCUMENTED.items() for f in fs])
def test_public_function_has_examples(qualname):
    module_name, _, attr = qualname.rpartition(".")
    func = getattr(importlib.import_module(module_name), attr)
    tests = doctest.DocTestFinder(recurse=False).find(func, attr, globs={})
    examples = sum(len(t.examples) for t in tests)
    assert "Examples\n" in (func.__doc__ or ""), f"{qualname} has no Examples section"
    assert examples >= 1, f"{qualname}: its Examples section has no runnable example"
    skipped = [t for t in tests for e in t.examples if e.options.get(doctest.SKIP)]
    assert not skipped, f"{qualname}: an example is skipped; make it run"
