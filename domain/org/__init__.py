"""The org area: domain layer."""
