"""The boundaries area: projections layer."""
