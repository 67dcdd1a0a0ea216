"""GraphQL queries at /graphql: Strawberry types over the views, read by asyncpg."""
