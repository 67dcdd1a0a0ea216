"""Read models: temporal view tables in PostgreSQL, the runner that keeps them
up to date from the event log, and the asyncpg queries that read them.

Every view row is a *version*: it holds the values an entity had between two
log positions, ``valid_from`` (inclusive) and ``valid_to`` (exclusive, NULL while
current). The current state is the set of open versions; the state at any past
position ``p`` is the set of versions with ``valid_from <= p < valid_to``. So any
view can be read as of a past position without replaying anything.
"""
