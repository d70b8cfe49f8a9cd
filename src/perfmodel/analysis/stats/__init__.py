"""Statistics on the indicator panel: panel regression, predictive validity, reliability.

``panel_regression`` fits fixed-effects panel models with cluster-robust errors;
``predictive_validity`` asks, for every process x result indicator pair, whether the
process indicator predicts the result indicator of a later period; ``reliability`` and
``cronbach_alpha`` say how much an indicator measures the supervisor rather than noise;
``simulate_panel`` draws a wide panel with known lagged effects (for power and checks).
"""
from __future__ import annotations

from perfmodel.analysis.stats.regression import panel_regression
from perfmodel.analysis.stats.reliability import cronbach_alpha, reliability
from perfmodel.analysis.stats.simulate import simulate_panel
from perfmodel.analysis.stats.validity import benjamini_hochberg, predictive_validity

__all__ = ["benjamini_hochberg", "cronbach_alpha", "panel_regression", "predictive_validity",
           "reliability", "simulate_panel"]
