"""The settings that change numbers, each with its one default.

The command line, every notebook, the report runner and ``audit verify`` take their
defaults from here, so the same analysis prints the same figures wherever it is run.
A run records the values it used in its manifest; every page states them.
"""
from __future__ import annotations

#: Seed of every random draw: rating fragility (sensitivity) and the wild cluster bootstrap.
SEED = 2026

#: Model evaluations of the rating-fragility analysis (:func:`perfmodel.analysis.sensitivity.rank_uncertainty`).
DRAWS = 2000

#: Draws of the wild cluster bootstrap (:func:`perfmodel.analysis.stats.predictive_validity`).
BOOT = 999

#: Periods between a process indicator and the result it should predict.
LAG = 1

#: Significance level of the validity tests (after the Benjamini-Hochberg adjustment).
ALPHA = 0.05

#: A rating is fragile when it differs from the nominal one in at least this share of draws.
FRAGILE = 0.2

#: Resamples of the permutation test of the rating review across groups
#: (:func:`perfmodel.analysis.rating_review.rating_review`; exact below that many distinct splits).
PERMUTATIONS = 9999
