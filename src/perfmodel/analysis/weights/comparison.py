"""The methods side by side, with the provenance of a proposal."""
from __future__ import annotations

import warnings
from typing import Iterable, Mapping

import pandas as pd

from perfmodel.analysis.weights.from_data import critic, entropy, equal, pca
from perfmodel.analysis.weights.from_evidence import evidence
from perfmodel.analysis.weights.pairwise import AhpResult
from perfmodel.analysis.weights.proposal import apply_weights
from perfmodel.core import catalogue
from perfmodel.core.errors import MethodSkipped, UsageError
from perfmodel.core.fonts import cjk_when_zh

# --------------------------------------------------------------------------- comparison

DATA_METHODS = ("entropy", "critic", "pca")


def make_provenance(method: str, base_policy, *, inputs: Iterable[Mapping] = (),
                    ahp_results: Mapping[str, AhpResult] | None = None,
                    panel: pd.DataFrame | None = None, **extra) -> dict:
    """The ``provenance`` mapping written with a reweighted policy.

    Returns
    -------
    dict
        ``method``; ``base_policy`` (source, name, version, sha256); ``consistency`` per
        AHP matrix (n, lambda_max, consistency_index, random_index, random_index_table,
        consistency_ratio, consistent); ``data`` (periods first..last, n_periods, n_rows,
        from and to: the first and last day the data cover) when a panel was used; ``inputs`` (path and sha256 of every file read); then
        ``extra``. Nothing time-dependent, so the same inputs give the same bytes.

    Examples
    --------
    A 2 × 2 comparison matrix is always consistent (λmax = n = 2):

    >>> from perfmodel.analysis.weights import ahp
    >>> from perfmodel.scoring.policy import load_policy
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S1"], "period": ["2026Q2", "2026Q3"]})
    >>> provenance = make_provenance("ahp", load_policy("quality"),
    ...                              ahp_results={"process": ahp([[1, 3], [1 / 3, 1]])},
    ...                              panel=panel, inputs=[{"path": "pairs.csv", "sha256": "abc"}],
    ...                              note="东区试行")
    >>> list(provenance)
    ['method', 'base_policy', 'consistency', 'data', 'inputs', 'note']
    >>> provenance["base_policy"]["name"], provenance["base_policy"]["sha256"][:12]
    ('after-sales-supervisor-quality', '8814ee5558c8')
    >>> {k: provenance["consistency"]["process"][k] for k in ("n", "lambda_max", "consistency_ratio")}
    {'n': 2, 'lambda_max': 2.0, 'consistency_ratio': 0.0}
    >>> provenance["data"]
    {'periods': '2026Q2..2026Q3', 'n_periods': 2, 'n_rows': 2, 'from': '2026-04-01', 'to': '2026-09-30'}
    """
    prov: dict = {"method": method, "base_policy": {
        "source": base_policy.source, "name": base_policy.name, "version": base_policy.version,
        "sha256": base_policy.sha256}}
    if ahp_results:
        prov["consistency"] = {
            name: {"n": r.n, "lambda_max": round(r.lambda_max, 6),
                   "consistency_index": round(r.consistency_index, 6),
                   "random_index": r.random_index, "random_index_table": r.random_index_table,
                   "consistency_ratio": round(r.consistency_ratio, 6), "consistent": r.consistent}
            for name, r in ahp_results.items()}
    if panel is not None:
        ps = sorted(panel["period"].astype(str).unique()) if "period" in panel else []
        prov["data"] = {"periods": f"{ps[0]}..{ps[-1]}" if ps else None, "n_periods": len(ps),
                        "n_rows": int(len(panel))}
        if ps:
            from perfmodel.core.periods import parse_period
            first, last = parse_period(ps[0]), parse_period(ps[-1])
            prov["data"]["from"] = str(pd.Timestamp(first.start).date())
            prov["data"]["to"] = str((pd.Timestamp(last.end) - pd.Timedelta(days=1)).date())
    prov["inputs"] = [dict(i) for i in inputs]
    prov.update(extra)
    return prov


def compare_methods(panel: pd.DataFrame, policy, *, ahp_result: AhpResult | None = None,
                    methods: Iterable[str] = ("equal", "entropy", "critic", "pca", "evidence"),
                    validity_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weights of the policy's indicators by several methods, side by side.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel (the history the data-driven methods learn from).
    policy : Policy, str or path
        Gives the indicators, their dimensions and the current weights.
    ahp_result : AhpResult, optional
        Judgement-based weights to include (method ``ahp``; its indicators' dimension is
        rescaled to sum to 1 as :func:`apply_weights` would).
    methods : iterable of str
        Among ``equal``, ``entropy``, ``critic``, ``pca``, ``evidence``. ``evidence`` runs
        ``perfmodel.analysis.stats.predictive_validity`` on ``panel`` unless ``validity_table`` is
        given. A method that cannot run on this data (e.g. no indicator with evidence) is
        left out with a :class:`~perfmodel.core.errors.MethodSkipped` warning (a
        :class:`~perfmodel.core.errors.PerfmodelWarning` carrying ``method`` and ``reason``).
        ``attrs["skipped"]`` (method -> reason) is still set for one version; it is
        deprecated: catch the warnings instead.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``indicator``, ``dimension``, ``method`` (``policy`` for the current
        weights), ``weight`` (within the dimension, summing to 1 per dimension and method).

    Examples
    --------
    Without a validity table that gives evidence, the ``evidence`` method cannot run; it is
    left out with a :class:`~perfmodel.core.errors.MethodSkipped` warning:

    >>> import warnings
    >>> import pandas as pd
    >>> from perfmodel.core.errors import MethodSkipped
    >>> from perfmodel.scoring.policy import load_policy
    >>> pol = load_policy("efficiency")
    >>> panel = pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"]})
    >>> none = pd.DataFrame(columns=["process", "result", "coef", "se", "p_adj", "verdict"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = compare_methods(panel, pol, methods=("equal", "evidence"), validity_table=none)
    >>> sorted(set(table["method"])), [w.message.method for w in caught if w.category is MethodSkipped]
    (['equal', 'policy'], ['evidence'])
    """
    from perfmodel.core.errors import PerfmodelError
    from perfmodel.scoring.policy import load_policy

    base = load_policy(policy)
    rows = []

    def add(method, pol):
        for ind in pol.weighted_indicators:
            rows.append({"indicator": ind, "dimension": pol.indicators[ind].dimension,
                         "method": method, "weight": pol.indicators[ind].weight})

    add("policy", base)
    skipped = {}
    if ahp_result is not None:
        add("ahp", apply_weights(base, ahp_result.weights))
    for m in methods:
        try:
            if m == "equal":
                tables = [equal(base.of_dimension(d)) for d in ("result", "process")
                          if base.of_dimension(d)]
            elif m in DATA_METHODS:
                fn = {"entropy": entropy, "critic": critic, "pca": pca}[m]
                tables = [fn(panel, base.of_dimension(d)) for d in ("result", "process")
                          if base.of_dimension(d)]
            elif m == "evidence":
                vt = validity_table
                if vt is None:
                    from perfmodel.analysis.stats import predictive_validity
                    vt = predictive_validity(panel, process=base.of_dimension("process"),
                                             results=base.of_dimension("result"), oos=False)
                tables = [evidence(vt, base.of_dimension("process"))]
            else:
                raise UsageError(f"unknown method {m!r}: use {', '.join(('equal',) + DATA_METHODS + ('evidence',))}")
            add(m, apply_weights(base, tables))
        except UsageError:
            raise
        except PerfmodelError as exc:
            skipped[m] = str(exc)
            warnings.warn(MethodSkipped(m, str(exc), exc), stacklevel=2)
    out = pd.DataFrame(rows)
    out.attrs["skipped"] = skipped  # deprecated: the MethodSkipped warnings say the same
    return out


@cjk_when_zh
def plot_comparison(table: pd.DataFrame, *, lang: str = "en"):
    """Bar chart of :func:`compare_methods`: one panel per dimension, one bar per method.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    One panel per dimension:

    >>> import matplotlib.pyplot as plt
    >>> from perfmodel.scoring.policy import load_policy
    >>> panel = pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"]})
    >>> table = compare_methods(panel, load_policy("efficiency"), methods=("equal",))
    >>> sorted(set(table["method"]))
    ['equal', 'policy']
    >>> figure = plot_comparison(table)
    >>> [ax.get_title() for ax in figure.axes]
    ['result', 'process']
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    dims = [d for d in ("result", "process") if d in set(table["dimension"])]
    heights = [max(2.0, 0.45 * table[table.dimension == d]["indicator"].nunique() + 1) for d in dims]
    fig, axes = plt.subplots(len(dims), 1, figsize=(9, sum(heights)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    from perfmodel.core.i18n import t as label

    t = table.copy()
    t["label"] = [catalogue.name(i, lang=lang) if i in catalogue.indicator_ids() else i for i in t["indicator"]]
    t["method"] = [label(f"method_{m}", lang=lang) for m in t["method"]]
    for ax, d in zip(axes[:, 0], dims):
        sns.barplot(data=t[t.dimension == d], y="label", x="weight", hue="method", ax=ax, orient="h")
        ax.set_title(label(d, lang=lang))
        ax.set_ylabel("")
        ax.set_xlabel(label("weight_within_dimension", lang=lang))
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
