// Apollo Client with its persisted-queries link: the first query falls back (the server
// does not know the hash), the second sends only the hash. Run by test_persisted_queries.py.
import { createHash } from "node:crypto";
import apollo from "@apollo/client/core/core.cjs";
import pq from "@apollo/client/link/persisted-queries/persisted-queries.cjs";
const { ApolloClient, InMemoryCache, HttpLink, gql } = apollo;
const { createPersistedQueryLink } = pq;

const sent = [];
async function watchedFetch(url, options) {
  const body = JSON.parse(options.body);
  const answer = await fetch(url, options);
  const copy = answer.clone();
  const json = await copy.json();
  sent.push({ query: "query" in body, status: answer.status, codes: (json.errors ?? []).map((e) => e.extensions?.code) });
  return answer;
}
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const link = createPersistedQueryLink({ sha256 }).concat(
  new HttpLink({
    uri: `${process.env.FLYWHEEL_URL}/graphql`,
    headers: { Authorization: `Bearer ${process.env.TOKEN}` },
    fetch: watchedFetch,
  }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });
const TEAMS = gql`query ApqTeams { teams { totalCount } }`;
const first = await client.query({ query: TEAMS, fetchPolicy: "network-only" });
const second = await client.query({ query: TEAMS, fetchPolicy: "network-only" });
console.log(JSON.stringify({ sent, answers: [first.data.teams.totalCount, second.data.teams.totalCount] }));
