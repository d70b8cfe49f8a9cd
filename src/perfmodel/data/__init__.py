"""The data layer: the contract (schema), reading, parsing, validating, loading and writing tables."""
