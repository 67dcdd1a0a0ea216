"""The people area: services layer."""
