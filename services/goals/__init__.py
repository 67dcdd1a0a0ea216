"""The goals area: services layer."""
