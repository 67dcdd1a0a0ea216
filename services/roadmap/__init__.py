"""Roadmaps: team-owned items with dates, health and dependencies."""
