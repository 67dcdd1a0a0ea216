"""The boundaries area: services layer."""
