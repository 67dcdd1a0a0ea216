"""The allocation area: domain layer."""
