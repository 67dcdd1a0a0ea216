"""The audit area: projections layer."""
