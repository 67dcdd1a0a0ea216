"""The HTTP API: REST commands under /api/v1, GraphQL at /graphql, health probes."""
