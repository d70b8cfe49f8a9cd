"""A small scoring policy for the docstring Examples (deterministic, built from literals)."""
from __future__ import annotations

__all__ = ["demo_forced_scores", "demo_policy"]


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


def demo_forced_scores():
    """Five supervisors' scores of 2026Q3, rated by the quotas of the ``quality`` preset.

    The preset's forced distribution (S 10 %, A 20 %, B 50 %, C 15 %, D 5 %) shares five
    supervisors as 0.5 S, 1 A, 2.5 B, 0.75 C and 0.25 D; by largest remainder 1 S, 1 A, 2 B,
    1 C and no D, given by rank of score: S1 92 S, S2 88 A, S3 75 and S4 71 B, S5 52 C.

    Returns
    -------
    pandas.DataFrame
        supervisor_id (S1 … S5), period, score, result_score (equal to score), rating.

    Examples
    --------
    >>> demo_forced_scores()
      supervisor_id  period  score  result_score rating
    0            S1  2026Q3   92.0          92.0      S
    1            S2  2026Q3   88.0          88.0      A
    2            S3  2026Q3   75.0          75.0      B
    3            S4  2026Q3   71.0          71.0      B
    4            S5  2026Q3   52.0          52.0      C
    """
    import pandas as pd

    from perfmodel.scoring.policy import load_policy
    from perfmodel.scoring.scores import forced_ratings

    scores = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"], "period": "2026Q3",
                           "score": [92.0, 88.0, 75.0, 71.0, 52.0]})
    scores["result_score"] = scores["score"]
    scores["rating"] = forced_ratings(scores, load_policy("quality").forced_distribution)
    return scores
