"""What every weighting method shares: constants, normalisation, rounding, lopsided weights."""
from __future__ import annotations

import warnings
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from perfmodel.core import catalogue, messages
from perfmodel.core.errors import DataError, PerfmodelWarning, UsageError

#: Random consistency index by matrix order n, per published table.
#: ``saaty``: Saaty (1980), *The Analytic Hierarchy Process*, n = 1..15 (the value 1.48 at
#: n = 12 is as published). ``alonso_lamata``: Alonso & Lamata (2006), 100 000 random
#: matrices per order, n = 3..15.
RANDOM_INDEX: dict[str, dict[int, float]] = {
    "saaty": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
              10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59},
    "alonso_lamata": {1: 0.0, 2: 0.0, 3: 0.5245, 4: 0.8815, 5: 1.1086, 6: 1.2479, 7: 1.3417,
                      8: 1.4056, 9: 1.4499, 10: 1.4854, 11: 1.5141, 12: 1.5365, 13: 1.5551,
                      14: 1.5713, 15: 1.5838},
}

#: Saaty's rule of thumb: judgements with a consistency ratio above this should be revised.
CR_THRESHOLD = 0.1

#: Weights are written for people: this many decimals, still summing exactly to 1.
WEIGHT_DECIMALS = 4

#: A data-driven weight is lopsided when one indicator takes LOPSIDED_SHARE of the
#: indicators weighed together or LOPSIDED_MULTIPLE times an equal share, whichever is
#: less, and at least LOPSIDED_FACTOR times an equal share (of two, 0.75).
LOPSIDED_SHARE = 0.5
LOPSIDED_MULTIPLE = 3.0
LOPSIDED_FACTOR = 1.5

_RECIPROCAL_RTOL = 0.02  # 1/3 written as 0.33 must pass, 3 against 1/2 must not


# --------------------------------------------------------------------------- helpers

def _frame(weights: np.ndarray, indicators: list[str], **columns) -> pd.DataFrame:
    df = pd.DataFrame({"indicator": indicators, "weight": np.asarray(weights, dtype=float)})
    for k, v in columns.items():
        df[k] = v
    return df


def _directions(indicators: list[str], directions: Mapping[str, str] | None) -> list[str]:
    out = []
    for ind in indicators:
        d = (directions or {}).get(ind)
        if d is None:
            try:
                d = catalogue.direction(ind)
            except KeyError:
                raise UsageError(f"indicator {ind!r} is not in the catalogue: give its direction "
                                 f"(directions={{{ind!r}: 'higher'|'lower'}})") from None
        if d not in catalogue.DIRECTIONS:
            raise UsageError(f"direction of {ind!r} is {d!r}: use 'higher' or 'lower'")
        out.append(d)
    return out


def weights_text(key: str, *, lang: str = "en", **values) -> str:
    """Return the weights message ``key`` in ``lang``, filled with ``values``.

    ``method`` is a method (``"entropy"``, ``"CRITIC"``, ``"PCA"``, ``"evidence"``; see
    :func:`method_name`) and ``ind`` an indicator id: both are shown in ``lang`` (the Chinese text adds the
    catalogue name to the id). The templates are the ``weights_text`` group of
    :mod:`perfmodel.core.messages`.

    Returns
    -------
    str
        The sentence, without a final full stop.

    Examples
    --------
    >>> weights_text("zero_weight", method="CRITIC")
    'CRITIC weights: every indicator got zero weight (no variation in the data); widen the period range or use another method'
    >>> weights_text("zero_weight", lang="zh", method="CRITIC")
    'CRITIC：所有指标的权重都为零（数据没有变化）；请扩大期间范围或改用其他方法'
    """
    shown = dict(values)
    if "method" in shown:
        shown["method"] = method_name(shown["method"], lang=lang)
    for field in ("ind", "worst"):
        if field in shown:
            ind = str(shown[field])
            name = catalogue.name(ind, lang=lang) if ind in catalogue.indicator_ids() else ind
            shown[field] = messages.text("weights_text.indicator", lang=lang, ind=ind, name=name)
    return messages.text(f"weights_text.{key}", lang=lang, **shown)


def method_name(method: str, *, lang: str = "en") -> str:
    """Return the name of a weighting method in ``lang`` (``"pca"`` -> ``PCA``, ``主成分``).

    The names are the ``labels.method_<method>`` entries of :mod:`perfmodel.core.messages`,
    as in the column headers of the calibration page; an unknown method is returned as given.

    Examples
    --------
    >>> method_name("critic"), method_name("entropy", lang="zh")
    ('CRITIC', '熵权法')
    """
    key = f"labels.method_{str(method).lower()}"
    return messages.text(key, lang=lang) if key in messages.keys() else str(method)


class LopsidedWeight(PerfmodelWarning):
    """A data-driven weight takes most of the indicators weighed together.

    ``str()`` is the English sentence; :meth:`text` words it in either language.

    Attributes
    ----------
    key : str
        The message key in the ``weights_text`` group (``lopsided_zeros``,
        ``lopsided_common`` or ``lopsided_spread``).
    values : dict
        The values the message is filled with.
    """

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(self.text(lang="en"))

    def text(self, *, lang: str = "en") -> str:
        """Return the warning in ``lang`` (``en`` or ``zh``)."""
        return weights_text(self.key, lang=lang, **self.values)


class WeightsDataError(DataError):
    """The data cannot give weights by one method (too few complete rows, no variation ...).

    ``str()`` is the English line; :meth:`text` words it in either language, so a page
    in Chinese can say why a method was left out.
    """

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(self.text(lang="en"))

    def text(self, *, lang: str = "en") -> str:
        """Return the message in ``lang`` (``en`` or ``zh``)."""
        return weights_text(self.key, lang=lang, **self.values)


class WeightsUsageError(UsageError):
    """Weighting inputs that do not fit together (a matrix mixing dimensions ...).

    ``str()`` is the English line; :meth:`text` words it in either language (the command
    line shows it in its ``--lang``).
    """

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(self.text(lang="en"))

    def text(self, *, lang: str = "en") -> str:
        """Return the message in ``lang`` (``en`` or ``zh``)."""
        return weights_text(self.key, lang=lang, **self.values)


def _default_indicators(panel: pd.DataFrame) -> list[str]:
    ids = [i for i in catalogue.indicator_ids() if catalogue.dimension(i) in ("result", "process")]
    return [i for i in ids if i in panel.columns]


def _complete_matrix(panel: pd.DataFrame, indicators: Iterable[str] | None,
                     min_rows: int = 3) -> tuple[np.ndarray, list[str]]:
    """Return the rows of ``panel`` on which every indicator is present, as floats."""
    inds = list(indicators) if indicators is not None else _default_indicators(panel)
    if not inds:
        raise UsageError("no indicator to weigh: pass indicators=[...] or a panel with "
                         "indicator columns")
    if len(set(inds)) != len(inds):
        raise UsageError(f"indicators are repeated: {inds}")
    missing = [i for i in inds if i not in panel.columns]
    if missing:
        raise DataError(f"the panel has no column {missing[0]!r}: compute that indicator or "
                        f"leave it out of indicators")
    sub = panel[inds].apply(pd.to_numeric, errors="coerce").astype(float)
    sub = sub.replace([np.inf, -np.inf], np.nan)
    complete = sub.dropna()
    if len(complete) < min_rows:
        worst = sub.isna().sum().idxmax()
        raise WeightsDataError("too_few_rows", n=len(complete), need=min_rows, worst=worst,
                               missing=int(sub[worst].isna().sum()), rows=len(sub))
    return complete.to_numpy(), inds


def _minmax(x: np.ndarray, directions: list[str]) -> np.ndarray:
    """Min–max normalise each column to [0, 1], 1 = best; a constant column becomes 0."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    up = (x - lo) / safe
    z = np.where(np.array([d == "lower" for d in directions]), 1.0 - up, up)
    return np.where(span > 0, z, 0.0)


def _normalise(w: np.ndarray, what: str) -> np.ndarray:
    total = float(np.sum(w))
    if not np.isfinite(total) or total <= 0:
        raise WeightsDataError("zero_weight", method=what)
    return w / total


def round_weights(weights, decimals: int = WEIGHT_DECIMALS) -> list[float]:
    """Round non-negative weights to ``decimals`` places so that they sum exactly to 1.

    Largest-remainder (Hamilton) rounding: each weight, scaled to sum to 1, gets the whole
    number of units of 10**-decimals below it; the units still missing go one each to the
    weights with the largest remainders (the earlier one on a tie).

    Returns
    -------
    list of float
        The rounded weights, in the given order; their decimal texts sum to exactly 1.

    Raises
    ------
    UsageError
        When a weight is negative or not finite, or all are zero.

    Examples
    --------
    Thirds round to 0.3333 each and leave one unit of 0.0001, which goes to the first:

    >>> round_weights([1, 1, 1])
    [0.3334, 0.3333, 0.3333]
    >>> round_weights([2, 1, 1])
    [0.5, 0.25, 0.25]
    """
    w = np.asarray(list(weights), dtype=float)
    if w.size == 0:
        return []
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise UsageError("weights must be finite, ≥ 0 and not all zero")
    unit = 10 ** int(decimals)
    scaled = w / w.sum() * unit
    units = np.floor(scaled + 1e-9).astype(np.int64)  # 0.29999999999 * 10**4 is 2999.99...: one unit
    remainder = scaled - units
    missing = int(unit - units.sum())
    order = sorted(range(w.size), key=lambda i: (-remainder[i], i))
    for i in order[:max(missing, 0)]:
        units[i] += 1
    return [int(u) / unit for u in units]


def lopsided_warnings(table: pd.DataFrame, values: np.ndarray, method: str) -> list[str]:
    """Explain a data-driven weight that takes most of the indicators weighed together.

    Each text is issued as a :class:`~perfmodel.core.errors.PerfmodelWarning`; the methods also
    keep the list in their table's ``attrs["warnings"]`` for one version (deprecated:
    catch the warnings instead).

    Parameters
    ----------
    table : pandas.DataFrame
        ``indicator``/``weight`` rows of one method on one set of indicators.
    values : numpy.ndarray
        The raw values the weights came from, one column per row of ``table``.
    method : str
        The method's name, for the message.

    Returns
    -------
    list of str
        One sentence per lopsided weight (see :data:`LOPSIDED_SHARE`): its weight, the equal
        share, and why
        (the share of its values that are 0, or that are its most common value, when that
        is at least half: a few other values then make it look informative). Empty when
        no weight is lopsided. Each sentence is also issued as a :class:`LopsidedWeight`
        warning (a :class:`PerfmodelWarning` whose ``text(lang=...)`` words it in Chinese too).

    Examples
    --------
    Three of four values of ``complaints`` are 0, yet its entropy weight is 0.80 of three
    (equal: 0.33): one sentence, also issued as a warning that words it in Chinese too.

    >>> import warnings
    >>> import numpy as np
    >>> import pandas as pd
    >>> table = pd.DataFrame({"indicator": ["complaints", "csat", "churn"], "weight": [0.8, 0.1, 0.1]})
    >>> values = np.array([[0, 4.1, 0.02], [0, 4.3, 0.03], [0, 4.0, 0.01], [5, 4.2, 0.02]])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     texts = lopsided_warnings(table, values, "entropy")
    >>> print(texts[0])
    entropy weight of complaints is 0.80 of the 3 indicators weighed together (equal would be 0.33): 75% of its 4 values are 0, so the few non-zero values make it look informative; check the indicator or leave it out
    >>> [type(w.message).__name__ for w in caught], "75%" in caught[0].message.text(lang="zh")
    (['LopsidedWeight'], True)
    >>> lopsided_warnings(table.assign(weight=[0.4, 0.3, 0.3]), values, "entropy")  # none lopsided
    []
    """
    k = len(table)
    if k < 2:
        return []
    out = []
    for j, (ind, w) in enumerate(zip(table["indicator"].astype(str), table["weight"].astype(float))):
        if w < max(min(LOPSIDED_SHARE, LOPSIDED_MULTIPLE / k), LOPSIDED_FACTOR / k):
            continue
        col = values[:, j]
        n = col.size
        head = dict(method=method, ind=ind, w=f"{w:.2f}", k=k, equal=f"{1 / k:.2f}")
        zeros = float(np.mean(col == 0)) if n else 0.0
        uniq, counts = np.unique(col, return_counts=True)
        common = uniq[np.argmax(counts)] if n else np.nan
        common_share = float(counts.max() / n) if n else 0.0
        if zeros >= 0.5:
            warning = LopsidedWeight("lopsided_zeros", **head, share=f"{zeros:.0%}", n=n)
        elif common_share >= 0.5:
            warning = LopsidedWeight("lopsided_common", **head, share=f"{common_share:.0%}", n=n,
                                     value=f"{common:.4g}")
        else:
            warning = LopsidedWeight("lopsided_spread", **head)
        out.append(str(warning))
        warnings.warn(warning, stacklevel=3)
    return out
