"""Indicator weights: from judgements (AHP), from the data (entropy, CRITIC, PCA) and from
evidence of predictive validity.

Every function returns weights that sum to 1 over the indicators it was given, as a tidy
table with one row per indicator (columns ``indicator``, ``weight`` plus columns that show
how the weight was obtained). :func:`ahp` returns an :class:`AhpResult` whose ``weights``
attribute is such a table and whose fields carry the consistency figures.

Which indicators to weigh together is the caller's choice; a scoring policy normalises
weights *within* a dimension, so the usual call passes the indicators of one dimension.

Data-driven methods (:func:`entropy`, :func:`critic`, :func:`pca`) take a wide panel
(one row per supervisor × period, one column per indicator, as produced by
``perfmodel.indicators.wide_panel``) and use the rows on which *every* selected indicator is
present (listwise deletion), so all indicators are judged on the same sample; the number of
rows used is the ``n_obs`` column.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Alonso, J. A., & Lamata, M. T. (2006). Consistency in the analytic hierarchy process: a new
approach. *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems*, 14(4), 445–459.
Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). Determining objective weights in
multiple criteria problems: the CRITIC method. *Computers & Operations Research*, 22(7),
763–770.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*, section 6.1 (weights based on principal components / factor analysis).

The methods live in one module per family (:mod:`.pairwise`, :mod:`.from_data`, :mod:`.from_evidence`), the way to a policy in :mod:`.proposal` and the comparison in :mod:`.comparison`; this package gathers their names.
"""
from __future__ import annotations

from perfmodel.analysis.weights.common import (  # noqa: F401
    CR_THRESHOLD,
    LOPSIDED_FACTOR,
    LOPSIDED_MULTIPLE,
    LOPSIDED_SHARE,
    RANDOM_INDEX,
    WEIGHT_DECIMALS,
    _RECIPROCAL_RTOL,
    _complete_matrix,
    _default_indicators,
    _directions,
    _frame,
    _minmax,
    _normalise,
    LopsidedWeight,
    WeightsDataError,
    WeightsUsageError,
    lopsided_warnings,
    method_name,
    round_weights,
    weights_text,
)
from perfmodel.analysis.weights.pairwise import (  # noqa: F401
    AhpResult,
    _as_matrix,
    _parse_cell,
    ahp,
    read_pairwise_csv,
)
from perfmodel.analysis.weights.from_data import (  # noqa: F401
    critic,
    entropy,
    equal,
    pca,
    varimax,
)
from perfmodel.analysis.weights.from_evidence import (  # noqa: F401
    _VALIDITY_COLUMNS,
    evidence,
)
from perfmodel.analysis.weights.proposal import (  # noqa: F401
    PROVENANCE_KEY,
    _plain,
    _rounded,
    apply_weights,
    dataset_files,
    policy_yaml,
    read_policy_with_provenance,
    write_policy,
)
from perfmodel.analysis.weights.comparison import (  # noqa: F401
    DATA_METHODS,
    compare_methods,
    make_provenance,
    plot_comparison,
)
from perfmodel.core.hashing import sha256_file  # noqa: F401

__all__ = [
    'RANDOM_INDEX', 'CR_THRESHOLD', 'AhpResult', 'equal', 'ahp', 'read_pairwise_csv', 'entropy',
    'critic', 'pca', 'evidence', 'varimax', 'apply_weights', 'policy_yaml', 'write_policy',
    'read_policy_with_provenance', 'sha256_file',
]
