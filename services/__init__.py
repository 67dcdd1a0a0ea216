"""Flywheel's services: the eventsourcing application (commands), the HTTP API
(REST commands, GraphQL queries), authentication, settings and the CLI."""
