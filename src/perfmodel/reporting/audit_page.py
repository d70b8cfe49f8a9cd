"""The policy-audit page: verification of a published run, its recorded policy, another policy's effect."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import PerfmodelError
from perfmodel.core.i18n import (
    check_lang,
    indicator_label,
    t,
)
from perfmodel.reporting.display import _display, heading, md_escape, table, text
from perfmodel.reporting.paths import resolve_path

# targets: one module says what a target is, whether it is met and how to state it
from perfmodel.scoring.targets import target_text


@dataclass
class AuditContext:
    """A run folder, its manifest, its verification and an optional second policy.

    ``run_dir`` and ``manifest`` are None when no run was found to audit.

    Examples
    --------
    Made by :func:`build_audit_context` for the audit page; by hand, the audit of no run:

    >>> actx = AuditContext(None, None, None, "zh", None)
    >>> actx.run_dir is None, actx.lang
    (True, 'zh')

    A made-up run whose verification failed, with a second policy to compare:

    >>> import tempfile
    >>> from perfmodel.reporting.demo import demo_audit_context
    >>> actx = demo_audit_context(tempfile.mkdtemp())
    >>> actx.manifest["run_id"], actx.verification.mismatches, actx.other_policy.version
    ('20261127T101500Z-1a2b3c4d', ['scores.csv: sha256 differs'], '2')
    """

    run_dir: Path | None
    manifest: dict | None
    verification: object
    lang: str
    other_policy: object | None


@keyword_only("lang", "reports")
def build_audit_context(run_dir="", other_policy="", *, lang="en", reports="reports") -> AuditContext:
    """Read a run's manifest, verify the run, and load the second policy if given.

    Parameters
    ----------
    run_dir : path or ""
        The run folder; empty for the latest complete quarterly report run under
        ``reports`` (the published report, not a calibration or an audit).
    other_policy : str or path or ""
        A second policy (preset or YAML file) to compare with the recorded one.
    lang : {"en", "zh"}
    reports : path
        The reports folder searched when ``run_dir`` is empty.

    Returns
    -------
    AuditContext

    Examples
    --------
    >>> import tempfile
    >>> actx = build_audit_context(other_policy="quality", lang="zh", reports=tempfile.mkdtemp())
    >>> actx.run_dir, actx.manifest, actx.lang, actx.other_policy.name  # no run to audit
    (None, None, 'zh', 'after-sales-supervisor-quality')
    """
    from perfmodel.audit.manifest import read_manifest
    from perfmodel.audit.runs import latest_run
    from perfmodel.audit.verify import check_run
    from perfmodel.reporting import plotting
    from perfmodel.scoring.policy import load_policy

    lang = plotting.setup(lang=check_lang(lang))
    if run_dir:
        folder = resolve_path(run_dir)
    else:
        folder = latest_run(resolve_path(reports), None, notebook="quarterly")
    other = None
    if other_policy:
        spec = str(resolve_path(other_policy)) if str(other_policy).endswith((".yaml", ".yml")) else str(other_policy)
        other = load_policy(spec)
    if folder is None:
        return AuditContext(None, None, None, lang, other)
    manifest = read_manifest(folder)
    verification = check_run(folder)
    return AuditContext(folder, manifest, verification, lang, other)


def show_verification(actx: AuditContext):
    """The verification result: verified, or each mismatch.

    Returns
    -------
    None
        Displays the title, the run audited, a heading and the verdict (each mismatch
        listed); without a run, the title and a sentence saying so.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.reporting.demo import demo_audit_context
    >>> actx = demo_audit_context(tempfile.mkdtemp())
    >>> show_verification(actx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    >>> show_verification(AuditContext(None, None, None, "en", None))  # nothing to audit
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    lang = actx.lang
    if actx.manifest is None:
        heading("audit_title", lang=lang, level=1, run="—")
        text(t("no_run", lang=lang))
        return
    m = actx.manifest
    heading("audit_title", lang=lang, level=1, run=f"{m.get('period')} / {m.get('run_id')}")
    notebook = (m.get("parameters") or {}).get("notebook") or "—"
    shown = {"notebook": notebook, "run": m.get("run_id"), "period": m.get("period"),
             "created": m.get("created_at") or "—", "data": m.get("data_dir"), "path": actx.run_dir}
    text(t("audited_run", lang=lang, **{k: md_escape(v) for k, v in shown.items()}))  # values from files: inert
    heading("verification", lang=lang)
    v = actx.verification
    if v.ok:
        text(f"**{t('verified', lang=lang)}**")
    else:
        text(f"**{t('not_verified', lang=lang, n=len(v.mismatches))}**\n\n" +
             # a finding may quote a tampered page: inert text, never a code span it could close
             "\n".join(f"- {md_escape(m)}" for m in v.mismatches))


def show_recorded_policy(actx: AuditContext):
    """The policy as recorded in the manifest: its identity, hash, summary table and full text.

    Returns
    -------
    None
        Nothing without a run.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.reporting.demo import demo_audit_context
    >>> actx = demo_audit_context(tempfile.mkdtemp())
    >>> show_recorded_policy(actx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    """
    from perfmodel.audit import manifest as audit

    lang = actx.lang
    if actx.manifest is None:
        return
    heading("recorded_policy", lang=lang)
    pol = actx.manifest["policy"]
    text(f"`{pol.get('name')}` {pol.get('version')} — sha256 `{pol.get('sha256', '')[:16]}`")
    try:
        policy = audit.load_policy_text(pol["text"])
        summary = policy.summary()
        # the target as the other pages state it (>= 80.0 %, not 0.8)
        summary["target"] = [target_text(policy.indicators[i], lang=lang) for i in summary["indicator"]]
        summary["indicator"] = summary["indicator"].map(lambda i: indicator_label(i, lang=lang))
        summary["dimension"] = summary["dimension"].map(lambda d: t(d, lang=lang))
        summary["rule"] = summary["rule"].map(lambda r: t(f"rule_{r}", lang=lang))
        table(summary[["indicator", "dimension", "weight", "effective_weight", "rule", "target"]], lang=lang,
              formats={"weight": "{:.2f}", "effective_weight": "{:.1%}"})
    except PerfmodelError as exc:
        text(t("not_available", lang=lang, reason=md_escape(exc)))
    text("```yaml\n" + pol["text"].rstrip() + "\n```")


def rating_changes(recorded_scores: pd.DataFrame, other_scores: pd.DataFrame) -> pd.DataFrame:
    """Compare the ratings of the recorded run with those of another policy.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``old_score``, ``new_score``, ``change``, ``old_rating``,
        ``new_rating``; the supervisors whose rating changes, largest absolute score
        change first.

    Examples
    --------
    >>> recorded = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"], "score": [81.0, 69.5, 90.0],
    ...                          "rating": ["A", "B", "S"]})
    >>> other = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"], "score": [79.0, 72.0, 91.0],
    ...                       "rating": ["B", "A", "S"]})
    >>> rating_changes(recorded, other)  # S3 keeps S
      supervisor_id  old_score  new_score  change old_rating new_rating
    0            S2       69.5       72.0     2.5          B          A
    1            S1       81.0       79.0    -2.0          A          B
    """
    a = recorded_scores[["supervisor_id", "score", "rating"]].astype({"supervisor_id": str})
    b = other_scores[["supervisor_id", "score", "rating"]].astype({"supervisor_id": str})
    m = a.merge(b, on="supervisor_id", suffixes=("_old", "_new"))
    m = m.rename(columns={"score_old": "old_score", "score_new": "new_score", "rating_old": "old_rating",
                          "rating_new": "new_rating"})
    m["old_rating"] = m["old_rating"].fillna("")
    m["new_rating"] = m["new_rating"].fillna("")
    m["change"] = m["new_score"] - m["old_score"]
    m = m[m["old_rating"] != m["new_rating"]]
    m = m.assign(_a=m["change"].abs()).sort_values(["_a", "supervisor_id"], ascending=[False, True], kind="mergesort")
    return m[["supervisor_id", "old_score", "new_score", "change", "old_rating", "new_rating"]].reset_index(drop=True)


def show_policy_effect(actx: AuditContext):
    """Re-score the run's recorded indicators with the second policy; show the rating changes.

    Returns
    -------
    None
        Displays a heading, the two policies, the cross table of ratings and the table of
        :func:`rating_changes`; nothing without a run, a sentence without a second policy.

    Examples
    --------
    With the dimensions weighted 0.5/0.5, S2 scores 0.5 × 50 + 0.5 × 90 = 70 and moves from
    C to B; S1 (100) and S3 (25) keep theirs:

    >>> import tempfile
    >>> from perfmodel.reporting.demo import demo_audit_context
    >>> actx = demo_audit_context(tempfile.mkdtemp())
    >>> show_policy_effect(actx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.HTML object>
    >>> from perfmodel.reporting.demo import demo_context
    >>> from perfmodel.scoring.scores import score
    >>> ctx = demo_context()
    >>> rating_changes(ctx.scores, score(ctx.wide, actx.other_policy))
      supervisor_id  old_score  new_score  change old_rating new_rating
    0            S2       62.0       70.0     8.0          C          B
    """
    from perfmodel.indicators import wide_panel
    from perfmodel.scoring.scores import score

    lang = actx.lang
    if actx.manifest is None:
        return
    heading("policy_effect", lang=lang)
    if actx.other_policy is None:
        text(t("no_second_policy", lang=lang))
        return
    ind = pd.read_csv(actx.run_dir / "indicators.csv", dtype={"supervisor_id": str, "period": str,
                                                               "indicator": str}, encoding="utf-8-sig")
    recorded = pd.read_csv(actx.run_dir / "scores.csv", dtype={"supervisor_id": str, "rating": str},
                           encoding="utf-8-sig")
    people = recorded if actx.other_policy.forced_by in recorded.columns else None
    other = score(wide_panel(ind), actx.other_policy, groups=people)
    text(f"`{actx.manifest['policy'].get('name')}` {actx.manifest['policy'].get('version')} → "
         f"`{actx.other_policy.name}` {actx.other_policy.version}")
    cross = pd.crosstab(recorded["rating"].fillna(""), other.set_index("supervisor_id").reindex(
        recorded["supervisor_id"])["rating"].fillna("").to_numpy(), rownames=[t("old_rating", lang=lang)],
        colnames=[t("new_rating", lang=lang)])
    from IPython.display import HTML

    _display(HTML(cross.to_html(border=0)))
    table(rating_changes(recorded, other), lang=lang,
          formats={"old_score": "{:.1f}", "new_score": "{:.1f}", "change": "{:+.1f}"})
