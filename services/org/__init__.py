"""The org area: services layer."""
