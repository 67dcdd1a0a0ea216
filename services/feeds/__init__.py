"""Feeds: GraphQL subscriptions and webhooks, both following the log by its position."""
