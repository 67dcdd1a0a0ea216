"""The audit area: services layer."""
