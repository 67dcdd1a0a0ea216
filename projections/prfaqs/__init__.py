"""The PR/FAQ area: projections layer."""
