"""The people area: domain layer."""
