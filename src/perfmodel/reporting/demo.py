"""A small report context for the docstring Examples of the pages (deterministic, built from literals)."""
from __future__ import annotations

from pathlib import Path

from perfmodel.core.i18n import check_lang
from perfmodel.reporting.audit_page import AuditContext
from perfmodel.reporting.context import ReportContext

__all__ = ["demo_audit_context", "demo_context"]


def demo_context(*, lang: str = "en", goals: bool = False) -> ReportContext:
    """The context of a report of 2026Q3: three supervisors, two indicators, the ``east`` policy.

    The panel is :func:`perfmodel.indicators.demo.demo_panel` (long:
    :func:`~perfmodel.indicators.demo.demo_long`), the policy
    :func:`perfmodel.scoring.demo.demo_policy`, the supervisors
    :func:`perfmodel.data.demo.demo_supervisors`. The scores are S1 100 (A), S2 62 (C),
    S3 15 (C). The context is made by hand, not from a data folder: ``dataset`` is None,
    ``data_dir`` is ``"."``, ``run_id`` is empty and the seed 42.

    Parameters
    ----------
    lang : {"en", "zh"}
        The language of the pages.
    goals : bool
        Bind the agreed goals of :func:`perfmodel.data.demo.demo_frames` that apply (S1 csat
        4.5, S2 csat 4.0; S2's tickets per staff-day is not in the policy) to the policy
        (``goals: report``: shown, not used in the scores) and set ``data`` to the summary of
        that dataset. Without goals ``data`` is None.

    Returns
    -------
    ReportContext
        A new context on every call (one period, 2026Q3; ``scores_all`` and ``scores`` are
        the same frame).

    Examples
    --------
    >>> ctx = demo_context()
    >>> ctx.period, ctx.periods, ctx.previous, ctx.lang, ctx.data is None
    ('2026Q3', ['2026Q3'], None, 'en', True)
    >>> ctx.scores[["supervisor_id", "score", "result_score", "process_score", "rating"]]
      supervisor_id  score  result_score  process_score rating
    0            S1  100.0         100.0          100.0      A
    1            S2   62.0          50.0           90.0      C
    2            S3   15.0           0.0           50.0      C
    >>> with_goals = demo_context(lang="zh", goals=True)
    >>> with_goals.lang, with_goals.data.tables, len(with_goals.policy.agreed)
    ('zh', ('goals', 'supervisors', 'tickets'), 2)
    """
    from perfmodel.data.demo import demo_dataset, demo_supervisors
    from perfmodel.indicators.demo import demo_long, demo_panel
    from perfmodel.results import summarize
    from perfmodel.scoring.demo import demo_policy
    from perfmodel.scoring.goals import bind_goals, goals_table
    from perfmodel.scoring.scores import score

    check_lang(lang)
    pol, wide = demo_policy(), demo_panel()
    scores = score(wide, pol)
    data = None
    if goals:
        ds = demo_dataset(goals=True)
        pol, data = bind_goals(pol, goals_table(ds)), summarize(ds)
    return ReportContext(".", "east", "2026Q3", lang, "duckdb", 42, "", None, pol, ["2026Q3"],
                         demo_long(), wide, scores, scores, demo_supervisors(), data)


def demo_audit_context(folder, *, lang: str = "en") -> AuditContext:
    """The audit of a made-up run of :func:`demo_context` whose verification failed, with a second policy.

    Writes ``indicators.csv`` (the long panel) and ``scores.csv`` of :func:`demo_context`
    into ``folder``. The manifest records period 2026Q3, run 20261127T101500Z-1a2b3c4d, data
    folder ``data``, notebook ``quarterly`` and the ``east`` policy (name, version, SHA-256,
    text). The verification found one mismatch (``scores.csv: sha256 differs``). The second
    policy is ``east`` version 2 with the dimensions weighted 0.5/0.5 (S2 then scores 70, B).

    Parameters
    ----------
    folder : path
        An existing folder, used as the run folder.
    lang : {"en", "zh"}
        The language of the page.

    Returns
    -------
    AuditContext
        ``run_dir`` is ``folder`` as a :class:`pathlib.Path`.

    Examples
    --------
    >>> import tempfile
    >>> actx = demo_audit_context(tempfile.mkdtemp())
    >>> sorted(p.name for p in actx.run_dir.iterdir())
    ['indicators.csv', 'scores.csv']
    >>> actx.manifest["policy"]["name"], actx.verification.ok, actx.other_policy.dimensions
    ('east', False, {'result': 0.5, 'process': 0.5})
    """
    from perfmodel.audit.verify import Verification
    from perfmodel.scoring.policy import policy_from_dict

    check_lang(lang)
    ctx, run = demo_context(lang=lang), Path(folder)
    pol = ctx.policy
    ctx.long.to_csv(run / "indicators.csv", index=False)
    ctx.scores.to_csv(run / "scores.csv", index=False)
    manifest = {"period": "2026Q3", "run_id": "20261127T101500Z-1a2b3c4d", "data_dir": "data",
                "parameters": {"notebook": "quarterly"},
                "policy": {"name": pol.name, "version": pol.version, "sha256": pol.sha256, "text": pol.text}}
    other = policy_from_dict({**pol.to_dict(), "version": "2", "dimensions": {"result": 0.5, "process": 0.5}})
    return AuditContext(run, manifest, Verification(run, mismatches=["scores.csv: sha256 differs"]), lang, other)
