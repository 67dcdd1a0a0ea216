"""GraphQL requests for the differential test of the executor.

Two sources, both bound to one company (its ids, positions, times and year):

* every GraphQL operation the tests and the README send, found by reading
  them: string constants of ``tests/**/*.py`` (an f-string with a placeholder for
  each replacement field) that parse as a GraphQL document querying the schema,
  and the README's ``graphql`` blocks, ``"query"`` strings and inline queries.
  Placeholders (``"…"``), plan years and variables get values from the company;
* queries generated over the schema by :class:`QueryGenerator`: random fields,
  arguments, aliases, named and inline fragments, ``@include``/``@skip``,
  variables, ``asOf``/``atPosition``, and now and then a bad id, page size,
  cursor or position, so that errors and nulls are exercised too.
"""

from __future__ import annotations

import random

from graphql import GraphQLSchema

from tests.graphql_requests.collected import bind, collected_documents
from tests.graphql_requests.company import POOL_QUERY, Company, Request, Values
from tests.graphql_requests.generated import QueryGenerator

__all__ = ["POOL_QUERY", "Company", "Request", "requests_of"]


def requests_of(
    schema: GraphQLSchema,
    company: Company,
    *,
    generated: int,
    seed: int,
) -> tuple[list[Request], list[Request]]:
    """The collected requests, bound to ``company``, and ``generated`` generated ones."""
    rng = random.Random(seed)  # noqa: S311 - reproducible queries, not cryptography
    collected = [
        bind(origin, document, schema, Values(company, rng, mischief=0.0))
        for origin, document in collected_documents(schema)
    ]
    generator = QueryGenerator(schema, Values(company, rng, mischief=0.08))
    return collected, list(generator.requests(generated))
