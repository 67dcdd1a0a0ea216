"""The metrics area: projections layer."""
