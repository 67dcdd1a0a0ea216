"""The feeds read the event log view: GraphQL subscriptions and webhooks."""
