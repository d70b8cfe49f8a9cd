"""A small scoring policy for the docstring Examples (deterministic, built from literals)."""
from __future__ import annotations

__all__ = ["demo_policy"]


def demo_policy():
    """A policy named ``east`` (version 1) of two indicators, one per dimension.

    Result 0.7: csat, rule linear from floor 3.8 (score 0) to target 4.3 (score 100).
    Process 0.3: timely_closure_rate, rule ratio with target 0.9. Ratings A ≥ 85, B ≥ 70,
    else C.

    Returns
    -------
    perfmodel.scoring.policy.Policy
        A new policy object on every call.

    Examples
    --------
    >>> pol = demo_policy()
    >>> pol.name, pol.version, pol.dimensions
    ('east', '1', {'result': 0.7, 'process': 0.3})
    >>> from perfmodel.indicators.demo import demo_panel
    >>> from perfmodel.scoring.scores import score
    >>> score(demo_panel(), pol)[["supervisor_id", "score", "rating"]]
      supervisor_id  score rating
    0            S1  100.0      A
    1            S2   62.0      C
    2            S3   15.0      C
    """
    from perfmodel.scoring.policy import policy_from_dict

    return policy_from_dict({
        "name": "east", "version": "1",
        "dimensions": {"result": 0.7, "process": 0.3},
        "indicators": {"csat": {"dimension": "result", "weight": 1.0, "rule": "linear",
                                "floor": 3.8, "target": 4.3},
                       "timely_closure_rate": {"dimension": "process", "weight": 1.0,
                                               "rule": "ratio", "target": 0.9}},
        "ratings": {"bands": {"A": 85, "B": 70, "C": 0}}})
