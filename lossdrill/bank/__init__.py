"""Question banks: the schema, the loader and validator, and numeric formulas."""
