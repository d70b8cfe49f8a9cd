"""The indicator catalogue: ids, names in English and Chinese, dimension, direction.

The catalogue is data (``catalogue.yaml`` beside this module); this module only reads it.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from perfmodel.core.deprecation import keyword_only

DIMENSIONS = ("result", "process", "diagnostic")
DIRECTIONS = ("higher", "lower")


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict]:
    text = resources.files("perfmodel.core").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def catalogue() -> pd.DataFrame:
    """Return the indicator catalogue.

    Returns
    -------
    pandas.DataFrame
        One row per indicator in catalogue order, columns: ``indicator``, ``name_en``,
        ``name_zh``, ``dimension`` (result/process/diagnostic), ``direction``
        (higher/lower: which way is better), ``unit``, ``tables`` (comma-separated source
        tables), ``definition_en``, ``definition_zh``.

    Examples
    --------
    >>> cat = catalogue()
    >>> cat.loc[cat["indicator"] == "csat", ["name_zh", "dimension", "direction", "unit", "tables"]]
      name_zh dimension direction   unit          tables
    0   客户满意度    result    higher  score  tickets,surveys
    """
    rows = []
    for ind, e in _entries().items():
        rows.append({"indicator": ind, **{k: e[k] for k in ("name_en", "name_zh", "dimension",
                                                            "direction", "unit")},
                     "tables": ",".join(e["tables"]),
                     "definition_en": e["definition_en"], "definition_zh": e["definition_zh"]})
    return pd.DataFrame(rows)


def indicator_ids() -> list[str]:
    """Return every indicator id, in catalogue order.

    Examples
    --------
    >>> indicator_ids()[:3]
    ['csat', 'csat_attitude', 'csat_resolution']
    """
    return list(_entries())


def indicator(ind: str) -> dict:
    """Return the catalogue entry of one indicator as a dict (KeyError if unknown).

    Examples
    --------
    >>> entry = indicator("csat")
    >>> entry["name_en"], entry["tables"]
    ('Customer satisfaction', ['tickets', 'surveys'])
    """
    return dict(_entries()[ind])


def direction(ind: str) -> str:
    """Return ``"higher"`` or ``"lower"``: which way is better for ``ind``.

    Examples
    --------
    >>> direction("csat"), direction("staff_turnover_rate")
    ('higher', 'lower')
    """
    return _entries()[ind]["direction"]


def dimension(ind: str) -> str:
    """Return ``"result"``, ``"process"`` or ``"diagnostic"`` for ``ind``.

    Examples
    --------
    >>> dimension("csat"), dimension("staff_turnover_rate"), dimension("csat_speed")
    ('result', 'process', 'diagnostic')
    """
    return _entries()[ind]["dimension"]


@keyword_only("lang")
def name(ind: str, *, lang: str = "en") -> str:
    """Return the display name of ``ind`` in ``lang`` (``en`` or ``zh``).

    Examples
    --------
    >>> name("csat"), name("csat", lang="zh")
    ('Customer satisfaction', '客户满意度')
    """
    return _entries()[ind]["name_zh" if lang == "zh" else "name_en"]


def ids_of(dimension_name: str) -> list[str]:
    """Return the indicator ids of one dimension, in catalogue order.

    Examples
    --------
    >>> ids_of("result")
    ['csat', 'followup_positive_rate', 'complaint_resolution_rate', 'customer_churn_rate', 'cost_control_rate']
    """
    return [k for k, e in _entries().items() if e["dimension"] == dimension_name]
