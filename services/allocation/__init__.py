"""The allocation area: services layer."""
