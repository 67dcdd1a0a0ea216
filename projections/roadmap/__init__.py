"""Roadmaps as views."""
