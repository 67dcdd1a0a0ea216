"""The allocation area: projections layer."""
