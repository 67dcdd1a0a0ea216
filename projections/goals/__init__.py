"""The goals area: projections layer."""
