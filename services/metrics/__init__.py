"""The metrics area: services layer."""
