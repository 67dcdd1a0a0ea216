"""The PR/FAQ area: services layer."""
