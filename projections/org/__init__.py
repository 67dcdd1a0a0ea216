"""The org area: projections layer."""
