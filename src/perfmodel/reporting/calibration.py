"""The sections of the weight calibration page (``notebooks/weight_calibration.ipynb``).

Judgements in (AHP with its consistency ratio), the weighting methods side by side, the
fragility of the ratings under the current and the proposed weights, and the proposed
policy saved beside the page with a provenance block naming and hashing the pairwise
matrix. An inconsistent matrix (CR > 0.1) is shown with its CR and no policy is proposed
from it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfmodel.core import settings
from perfmodel.analysis import weights as W
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.hashing import sha256_text
from perfmodel.core.i18n import indicator_label, t
from perfmodel.core.numbers import format_number
from perfmodel.reporting.display import heading, md_escape, table, text

MATRIX_FILE = "pairwise_matrix.csv"
POLICY_FILE = "calibrated_policy.yaml"


def pairwise_matrix(pairwise_csv: str = "", pairwise=None, ids=None) -> pd.DataFrame:
    """Return the pairwise matrix to judge with: the CSV file when given, else the inline one.

    Returns
    -------
    pandas.DataFrame
        Square float matrix with the indicator ids as index and columns.

    Examples
    --------
    >>> import tempfile
    >>> ids = ["csat", "complaint_resolution_rate", "first_response_hours"]
    >>> m = pairwise_matrix(pairwise=[[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]], ids=ids)
    >>> m.loc["csat"].tolist(), float(m.loc["first_response_hours", "csat"])
    ([1.0, 3.0, 5.0], 0.2)
    >>> path = Path(tempfile.mkdtemp()) / MATRIX_FILE
    >>> _ = path.write_text(matrix_csv(m), encoding="utf-8")
    >>> pairwise_matrix(str(path)).equals(m)  # the file wins over the inline matrix
    True
    """
    if pairwise_csv:
        return W.read_pairwise_csv(pairwise_csv)
    return pd.DataFrame(pairwise, index=list(ids), columns=list(ids), dtype=float)


def matrix_csv(matrix: pd.DataFrame) -> str:
    """Return the matrix as the CSV text :func:`perfmodel.analysis.weights.read_pairwise_csv` reads back.

    Returns
    -------
    str
        A header ``indicator,<ids>`` and one line per indicator; reciprocals written as
        fractions (``1/3``).

    Examples
    --------
    >>> ids = ["csat", "complaint_resolution_rate", "first_response_hours"]
    >>> m = pairwise_matrix(pairwise=[[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]], ids=ids)
    >>> print(matrix_csv(m), end="")
    indicator,csat,complaint_resolution_rate,first_response_hours
    csat,1,3,5
    complaint_resolution_rate,1/3,1,2
    first_response_hours,1/5,1/2,1
    """
    lines = ["indicator," + ",".join(map(str, matrix.columns))]
    for ind, row in matrix.iterrows():
        lines.append(str(ind) + "," + ",".join(_cell(v) for v in row))
    return "\n".join(lines) + "\n"


def _cell(value: float) -> str:
    # reciprocals as fractions (1/3), so the file reads as the judgements were made
    if value < 1 and round(1 / value) == round(1 / value, 6):
        return f"1/{int(round(1 / value))}"
    return f"{value:g}"


def show_title(ctx) -> None:
    """The page title and what the page does, in the page's language.

    Returns
    -------
    None

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_title(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    heading("calibration_title", lang=ctx.lang, level=1, period=ctx.period)
    text(t("calibration_intro", lang=ctx.lang))


def show_judgements(ctx, matrix: pd.DataFrame, random_index: str = "saaty", source: str = ""):
    """The pairwise matrix, the AHP weights and the consistency ratio; returns the AhpResult.

    Returns
    -------
    perfmodel.analysis.weights.AhpResult
        Displays the source, the matrix, the weights, the consistency and the verdict.

    Examples
    --------
    csat judged 3 times as important as the closure rate: weights 3/4 and 1/4, and a
    2 × 2 matrix is always consistent (CR 0):

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> matrix = pairwise_matrix(pairwise=[[1, 3], [1 / 3, 1]], ids=["csat", "timely_closure_rate"])
    >>> res = show_judgements(ctx, matrix)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    >>> res.weights, res.consistency_ratio, res.consistent
    (             indicator  weight
    0                 csat    0.75
    1  timely_closure_rate    0.25, 0.0, True)
    """
    heading("calibration_judgements", lang=ctx.lang)
    res = W.ahp(matrix, random_index=random_index)
    shown = matrix.copy()
    labels = [indicator_label(str(i), lang=ctx.lang) for i in shown.index]
    shown = shown.map(_cell)
    shown.insert(0, "indicator", labels)
    shown.columns = ["indicator"] + labels
    text(t("calibration_matrix_source", lang=ctx.lang,
           source=md_escape(Path(source).name) if source else t("calibration_inline", lang=ctx.lang)))
    table(shown, lang=ctx.lang)
    w = res.weights.assign(indicator=lambda d: d["indicator"].map(lambda i: indicator_label(str(i), lang=ctx.lang)))
    table(w, lang=ctx.lang, formats={"weight": "{:.1%}"})
    text(t("calibration_consistency", lang=ctx.lang, lmax=format_number(res.lambda_max, ".4f"),
           ci=format_number(res.consistency_index, ".4f"), ri=format_number(res.random_index, ".2f"), n=res.n,
           cr=format_number(res.consistency_ratio, ".3f")))
    text(("**" + t("calibration_inconsistent", lang=ctx.lang, cr=format_number(res.consistency_ratio, ".3f")) + "**")
         if not res.consistent else t("calibration_consistent", lang=ctx.lang))
    return res


@keyword_only("lang")
def methods_table(table_: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """Return :func:`perfmodel.analysis.weights.compare_methods` one row per indicator, one column per method.

    Returns
    -------
    pandas.DataFrame
        ``dimension`` (label in ``lang``), ``indicator`` (name in ``lang``), then one column
        ``method_<method>`` per method in the order they were computed (weights within the
        dimension; :func:`perfmodel.core.i18n.columns` names them in ``lang``).

    Examples
    --------
    >>> tidy = pd.DataFrame({"method": ["ahp", "ahp", "entropy", "entropy"], "dimension": "result",
    ...                      "indicator": ["csat", "complaint_resolution_rate"] * 2,
    ...                      "weight": [0.75, 0.25, 0.4, 0.6]})
    >>> methods_table(tidy, lang="zh")
      dimension indicator  method_ahp  method_entropy
    0        结果     客户满意度        0.75             0.4
    1        结果     投诉解决率        0.25             0.6
    """
    methods = list(dict.fromkeys(table_["method"]))
    wide = table_.pivot_table(index=["dimension", "indicator"], columns="method", values="weight", sort=False)
    wide = wide.reindex(columns=methods).reset_index()
    wide["dimension"] = wide["dimension"].map(lambda d: t(str(d), lang=lang))
    wide["indicator"] = wide["indicator"].map(lambda i: indicator_label(str(i), lang=lang))
    wide.columns.name = None
    return wide.rename(columns={m: f"method_{m}" for m in methods})


def _worded(warning: Warning, lang: str) -> str:
    """A warning in the page's language when it can word itself (``text(lang=...)``), else as it came."""
    word = getattr(warning, "text", None)
    return word(lang=lang) if callable(word) else str(warning)


def show_methods(ctx, hist: pd.DataFrame, ahp_res):
    """The weights of every method side by side (table and chart); returns the tidy table.

    Returns
    -------
    pandas.DataFrame
        The tidy table of :func:`perfmodel.analysis.weights.compare_methods` (``indicator``,
        ``dimension``, ``method``, ``weight``); displays a heading, the table of
        :func:`methods_table`, a sentence per warning or skipped method, and the chart.

    Examples
    --------
    Each dimension here has one indicator, so every method gives it the whole weight of
    its dimension:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> wide = ctx.wide
    >>> hist = pd.concat([wide.assign(period="2026Q2", csat=[4.2, 4.0, 3.9],
    ...                               timely_closure_rate=[0.85, 0.8, 0.5]), wide])
    >>> res = W.ahp(pairwise_matrix(pairwise=[[1, 3], [1 / 3, 1]], ids=["csat", "timely_closure_rate"]))
    >>> tidy = show_methods(ctx, hist, res)  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    ...
    Figure(...)
    >>> sorted(set(tidy["method"])), set(tidy["weight"])
    (['ahp', 'entropy', 'equal', 'pca', 'policy'], {1.0})
    """
    from perfmodel.reporting.display import figure

    import warnings

    from perfmodel.core.errors import MethodSkipped, PerfmodelWarning

    heading("calibration_methods", lang=ctx.lang)
    with warnings.catch_warnings(record=True) as caught:  # said on the page, not on the kernel's stderr
        warnings.simplefilter("always", PerfmodelWarning)
        cmp = W.compare_methods(hist, ctx.policy, ahp_result=ahp_res if ahp_res.consistent else None)
    wide = methods_table(cmp, lang=ctx.lang)
    table(wide, lang=ctx.lang, formats={m: "{:.3f}" for m in wide.columns[2:]})
    said = [w for w in caught if issubclass(w.category, PerfmodelWarning) and not issubclass(w.category, MethodSkipped)]
    for message in dict.fromkeys(_worded(w.message, ctx.lang) for w in said):
        text(t("calibration_warning", lang=ctx.lang, message=md_escape(message)))
    for w in caught:  # any other warning goes on as it came
        if not issubclass(w.category, PerfmodelWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    for w in caught:  # a method that could not run on these data
        if issubclass(w.category, MethodSkipped):
            text(t("calibration_skipped", lang=ctx.lang, method=W.method_name(w.message.method, lang=ctx.lang),
                   reason=md_escape(w.message.reason_text(lang=ctx.lang))))
    import matplotlib.pyplot as plt

    fig = W.plot_comparison(cmp, lang=ctx.lang)
    figure(fig)
    plt.close(fig)  # shown once: the inline backend would show an open figure again
    return cmp


def fragile_table(res, supervisors: pd.DataFrame, threshold: float = settings.FRAGILE) -> pd.DataFrame:
    """The fragile ratings of a :class:`~perfmodel.analysis.sensitivity.RankUncertainty`, for the page.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``name``, ``rating`` (nominal), ``modal_rating``,
        ``p_rating_differs``, ``rank`` (integer), ``rank_range`` (5 %–95 % of the rank over
        the draws, integers); most fragile first.

    Examples
    --------
    S2 scores 0.7 × 80 + 0.3 × 45 = 69.5 (C, the band B starts at 70). The result weight
    moves in 0.65..0.75 and S2 reaches B above 0.714 (80w + 45(1 − w) ≥ 70): in about
    (0.75 − 0.714) / 0.1 = 36 % of the draws.

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> pol, wide, names = ctx.policy, ctx.wide, ctx.supervisors
    >>> from perfmodel.analysis.sensitivity import rank_uncertainty
    >>> near = wide.assign(csat=[4.3, 4.2, 3.8], timely_closure_rate=[0.9, 0.405, 0.45])
    >>> res = rank_uncertainty(near, pol, draws=1000, seed=42, supervisors=names)
    >>> fragile_table(res, names)
      supervisor_id name rating modal_rating  p_rating_differs  rank rank_range
    0            S2   李娜      C            C             0.359     2        2–2
    """
    tab = res.fragile(threshold).dropna(subset=["nominal_rank"])
    out = pd.DataFrame({
        "supervisor_id": tab["supervisor_id"].astype(str), "rating": tab["nominal_rating"],
        "modal_rating": tab["modal_rating"], "p_rating_differs": tab["p_rating_differs"].astype(float),
        "rank": tab["nominal_rank"].round().astype(int),
        "rank_range": [f"{int(round(a))}–{int(round(b))}" for a, b in zip(tab["rank_p05"], tab["rank_p95"])]})
    names = supervisors[["supervisor_id", "name"]].astype({"supervisor_id": str})
    out = out.merge(names, on="supervisor_id", how="left")
    return out[["supervisor_id", "name", "rating", "modal_rating", "p_rating_differs", "rank", "rank_range"]]


def show_fragility(ctx, new_policy, draws: int = settings.DRAWS, threshold: float = settings.FRAGILE) -> None:
    """Fragile ratings under the current policy and under ``new_policy`` (None: none proposed).

    Returns
    -------
    None
        Displays a heading, the sentence on random draws, then per policy the count of
        fragile ratings and the table of :func:`fragile_table` (when any).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_fragility(ctx, None, draws=200)  # S2 (62) and S3 (15) stay C, S1 stays A
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    from perfmodel.analysis.sensitivity import rank_uncertainty

    heading("calibration_fragility", lang=ctx.lang)
    from perfmodel.reporting.quarterly import draws_note

    # the sentence every page with random draws shows, then what "fragile" means here
    text(draws_note("fragility", lang=ctx.lang, seed=ctx.seed, draws=draws) + " "
         + t("calibration_fragility_text", lang=ctx.lang, pct=f"{threshold:.0%}"))
    panel_now = ctx.wide[ctx.wide["period"] == ctx.period]
    pairs = [(t("calibration_current", lang=ctx.lang, version=ctx.policy.version), ctx.policy)]
    if new_policy is not None:
        pairs.append((t("calibration_proposed", lang=ctx.lang, version=new_policy.version), new_policy))
    for label, pol in pairs:
        res = rank_uncertainty(panel_now, pol, draws=draws, seed=ctx.seed, supervisors=ctx.supervisors)
        s = res.by_period(threshold).iloc[0]
        text(f"**{md_escape(label)}** — " + t("calibration_fragile_count", lang=ctx.lang, n=int(s["n_fragile"]),
                                               total=int(s["n_ranked"]),
                                               width=format_number(s["mean_rank_interval"], ".1f")))
        frag = fragile_table(res, ctx.supervisors, threshold)
        if len(frag):
            table(frag, lang=ctx.lang, formats={"p_rating_differs": "{:.0%}"})


def save_policy(ctx, new_policy, method: str, ahp_res, matrix: pd.DataFrame, hist: pd.DataFrame, *,
                out_dir="", matrix_source: str = "") -> Path | None:
    """Write the proposed policy and the pairwise matrix into ``out_dir`` and show the YAML.

    The matrix is written as ``pairwise_matrix.csv`` beside the policy; the policy's
    provenance names it (and the file it came from) with its SHA-256. With an
    inconsistent matrix and ``method="ahp"`` nothing is proposed or written.

    Returns
    -------
    pathlib.Path or None
        The policy file written, or None when no policy is proposed.

    Examples
    --------
    >>> from perfmodel.scoring.policy import policy_from_dict
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> pol, wide = ctx.policy, ctx.wide
    >>> import tempfile
    >>> matrix = pairwise_matrix(pairwise=[[1, 3], [1 / 3, 1]], ids=["csat", "timely_closure_rate"])
    >>> res = W.ahp(matrix)
    >>> proposed = policy_from_dict({**pol.to_dict(), "version": "2"})
    >>> out = Path(tempfile.mkdtemp())
    >>> path = save_policy(ctx, proposed, "ahp", res, matrix, wide, out_dir=out)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    >>> path.name, sorted(p.name for p in out.iterdir())
    ('calibrated_policy.yaml', ['calibrated_policy.yaml', 'pairwise_matrix.csv'])
    >>> from perfmodel.core.hashing import sha256_text
    >>> text = path.read_text(encoding="utf-8")
    >>> sha256_text((out / MATRIX_FILE).read_text(encoding="utf-8")) in text
    True
    >>> save_policy(ctx, None, "ahp", res, matrix, wide)  # nothing proposed: nothing written
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    import tempfile

    from IPython.display import HTML, display

    heading("calibration_save", lang=ctx.lang)
    if new_policy is None:
        text("**" + t("calibration_no_policy", lang=ctx.lang, cr=format_number(ahp_res.consistency_ratio, ".3f")) + "**")
        return None
    folder = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="perfmodel-policy-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv_text = matrix_csv(matrix)
    (folder / MATRIX_FILE).write_text(csv_text, encoding="utf-8")
    record = {"path": MATRIX_FILE, "sha256": sha256_text(csv_text),
              "source": Path(matrix_source).name if matrix_source else "notebook parameters"}
    data_used = method in W.DATA_METHODS + ("evidence",)
    inputs = W.dataset_files(ctx.data_dir) if data_used else []
    prov = W.make_provenance(method, ctx.policy, inputs=inputs, ahp_results={"result": ahp_res},
                             panel=hist if data_used else None, dimension_weights="kept",
                             pairwise_matrix=record)
    saved = W.write_policy(new_policy, folder / POLICY_FILE, prov)
    text(t("calibration_saved", lang=ctx.lang, file=md_escape(saved.name), matrix=MATRIX_FILE))
    from html import escape

    display(HTML(f'<pre style="white-space: pre-wrap; font-family: monospace; font-size: 12px">{escape(saved.read_text(encoding="utf-8"))}</pre>'))
    return saved
