"""The analysis layer: statistics, weights, sensitivity, profiling, lint, explain, watch."""
