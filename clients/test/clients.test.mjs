// The clients web and mobile teams use, against both BFFs built from this
// repository and started here: Apollo Client 4 and urql (queries with
// variables, authentication, mutations, partial results with codes,
// automatic persisted queries, the mobile safelist, @defer), headless
// Chromium (CORS from another origin, GraphiQL with the network cut off)
// and the graphql-http audit.
//
// Processes (all on free loopback ports, stopped by the after hook):
//   mocks; bff-web in production mode (CORS allows the test app's origin);
//   both BFFs in dev mode, as `make run` starts them (GraphiQL, CORS for
//   http://localhost:* by default, introspection: the graphql-http audit
//   runs against these); bff-mobile in production mode (trusted documents
//   enforced, the default); bff-mobile in production mode with trusted
//   documents in log mode (for ad-hoc operations and APQ).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange, gql as ugql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { auditServer } from 'graphql-http';

import { byName, recordingFetch } from '../lib/fetchlog.mjs';
import { Stack, freePort } from '../lib/stack.mjs';
import { browserTests } from '../lib/browser.mjs';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

const stack = new Stack();
const env = {};

before(async () => {
  await stack.start();
  env.appPort = await freePort(); // the web app's own origin, for the CORS test
  env.appOrigin = `http://localhost:${env.appPort}`;
  [env.web, env.webDev, env.mobile, env.mobileDev, env.mobileLog, env.webTight] = await Promise.all([
    stack.startBFF('bff-web', { env: { origins: env.appOrigin } }),
    stack.startBFF('bff-web', { dev: true }),
    stack.startBFF('bff-mobile'),
    stack.startBFF('bff-mobile', { dev: true }),
    stack.startBFF('bff-mobile', { env: { extra: { TANDEM_MOBILE_TRUSTED_DOCUMENTS_MODE: 'log' } } }),
    // Two signed-out requests an hour: the third is a 429.
    stack.startBFF('bff-web', { yaml: 'throttle: {rate: {anonymous: {requests: {limit: 2, period: 1h, burst: 2}}}}' }),
  ]);
  env.manifest = byName(await stack.mobileManifest());
  env.token = await stack.token('usr_000042', ['orders:read', 'orders:write']);
}, { timeout: 240_000 });

after(() => stack.stop());

// --- Apollo Client 4 -------------------------------------------------------

function apollo(uri, { token, persisted, fetchFn = fetch, get = false } = {}) {
  const http = new HttpLink({
    uri: `${uri}/graphql`,
    fetch: fetchFn,
    // Forces a CORS preflight on GET, which the BFF's CSRF prevention asks for.
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const links = [];
  if (persisted) links.push(new PersistedQueryLink({ ...persisted, useGETForHashedQueries: get }));
  links.push(http);
  return new ApolloClient({
    link: ApolloLink.from(links),
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
    defaultOptions: { query: { fetchPolicy: 'no-cache', errorPolicy: 'all' }, mutate: { errorPolicy: 'all' } },
  });
}

/** Apollo's persisted query link with ids from the app's manifest. */
const fromManifest = () => ({
  generateHash: (doc) => {
    const name = doc.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value;
    const op = env.manifest[name];
    if (!op) throw new Error(`${name} is not a published operation`);
    return op.id;
  },
});

const codes = (error) => (CombinedGraphQLErrors.is(error) ? error.errors.map((e) => e.extensions?.code) : []);

describe('Apollo Client 4', { timeout: 60_000 }, () => {
  test('web: a query with variables', async () => {
    const { data, error } = await apollo(env.web).query({
      query: gql`query Product($id: ID!) { product(id: $id) { id name price { current { formatted } } } }`,
      variables: { id: 'prd_000042' },
    });
    assert.equal(error, undefined);
    assert.equal(data.product.id, 'prd_000042');
    assert.match(data.product.price.current.formatted, /299/);
  });

  test('web: an authenticated query, and the same query signed out', async () => {
    const query = gql`{ viewer { id profile { name } } }`;
    const signedIn = await apollo(env.web, { token: env.token }).query({ query });
    assert.equal(signedIn.error, undefined);
    assert.equal(signedIn.data.viewer.id, 'usr_000042');
    const anonymous = await apollo(env.web).query({ query });
    assert.deepEqual(codes(anonymous.error), ['UNAUTHENTICATED']);
  });

  test('web: a mutation', async () => {
    const { data, error } = await apollo(env.web, { token: env.token }).mutate({
      mutation: gql`mutation Add($id: ID!) { addToCart(productId: $id, quantity: 2) { itemCount } }`,
      variables: { id: 'prd_000042' },
    });
    assert.equal(error, undefined);
    assert.ok(data.addToCart.itemCount >= 2);
  });

  test('web: partial results carry a code and the failing service', async (t) => {
    await stack.fault('pricing', '', { kind: 'error', grpcCode: 'UNAVAILABLE' });
    t.after(() => stack.clearFaults());
    const { data, error } = await apollo(env.web).query({
      query: gql`{ product(id: "prd_000042") { name price { current { formatted } } } }`,
    });
    assert.equal(data.product.name.length > 0, true);
    assert.equal(data.product.price, null);
    assert.ok(CombinedGraphQLErrors.is(error));
    assert.equal(error.errors[0].extensions.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(error.errors[0].extensions.service, 'pricing');
    assert.deepEqual(error.errors[0].path, ['product', 'price']);
  });

  for (const [name, url] of [['bff-web', () => env.web], ['bff-mobile (log mode)', () => env.mobileLog]]) {
    test(`${name}: automatic persisted queries, miss → register → hit, over POST and GET`, async () => {
      const query = name === 'bff-web'
        ? gql`query Brand($id: ID!) { product(id: $id) { brand } }`
        : gql`query Brand($id: ID!) { product(id: $id) { brand } }`;
      const { fetch: fetchFn, log } = recordingFetch();
      const client = apollo(url(), { persisted: { sha256 }, fetchFn });
      const vars = { id: `prd_0000${name === 'bff-web' ? '11' : '12'}` };
      const first = await client.query({ query, variables: vars });
      assert.equal(first.error, undefined);
      const second = await client.query({ query, variables: vars });
      assert.equal(second.data.product.brand, first.data.product.brand);
      assert.deepEqual(log.map((r) => [r.method, r.hasQuery, !!r.hash, r.status]), [
        ['POST', false, true, 200], // hash only: PERSISTED_QUERY_NOT_FOUND
        ['POST', true, true, 200], // hash and text: registered
        ['POST', false, true, 200], // hash only: hit
      ]);

      // The GET form a CDN can cache: public for an anonymous caller.
      const getter = recordingFetch();
      const viaGet = await apollo(url(), { persisted: { sha256 }, fetchFn: getter.fetch, get: true }).query({ query, variables: vars });
      assert.equal(viaGet.error, undefined);
      assert.deepEqual(getter.log.map((r) => [r.method, r.hasQuery, r.status]), [['GET', false, 200]]);
      assert.match(getter.log[0].cacheControl, /^public, max-age=\d+$/);
    });
  }

  test('bff-mobile (enforce): the app\'s published operations run by hash, anything else is refused', async () => {
    const { fetch: fetchFn, log } = recordingFetch();
    const client = apollo(env.mobile, { persisted: fromManifest(), fetchFn, token: env.token });
    const detail = await client.query({
      query: gql(env.manifest.ProductDetail.body),
      variables: { id: 'prd_000042' },
    });
    assert.equal(detail.error, undefined);
    assert.equal(detail.data.product.id, 'prd_000042');
    assert.ok(detail.data.product.topReviews.length > 0);
    const home = await client.query({ query: gql(env.manifest.Home.body), variables: { signedIn: true } });
    assert.equal(home.error, undefined);
    assert.ok(home.data.home.viewer.name.length > 0);
    const added = await client.mutate({ mutation: gql(env.manifest.AddToCart.body), variables: { productId: 'prd_000042' } });
    assert.equal(added.error, undefined);
    assert.ok(added.data.addToCart.cartItemCount >= 1);
    assert.ok(log.every((r) => !r.hasQuery), 'only hashes went over the wire');

    const adHoc = await apollo(env.mobile, { persisted: { sha256 } }).query({
      query: gql`{ product(id: "prd_000042") { name } }`,
    });
    assert.deepEqual(codes(adHoc.error), ['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  test('bff-mobile (enforce): the product screen\'s reviews arrive deferred over multipart/mixed', async () => {
    const { fetch: fetchFn, log } = recordingFetch();
    const client = apollo(env.mobile, { persisted: fromManifest(), fetchFn });
    const states = await new Promise((resolve, reject) => {
      const seen = [];
      const sub = client.watchQuery({
        query: gql(env.manifest.ProductDetail.body),
        variables: { id: 'prd_000042' },
        fetchPolicy: 'no-cache',
      }).subscribe({
        next: (r) => {
          seen.push({ state: r.dataState, reviews: r.data?.product?.topReviews?.length ?? 0, name: r.data?.product?.name });
          if (r.dataState === 'complete') { sub.unsubscribe(); resolve(seen); }
        },
        error: reject,
      });
    });
    // The answer came as multipart/mixed and Apollo Client assembled it:
    // every state it reported with data has the first screen, the last the
    // reviews.
    // (Whether it also reports a state between the parts depends on how
    // the parts arrive; the framing itself is checked in shared/edge.)
    assert.match(log[0].contentType, /^multipart\/mixed/);
    assert.ok(states.filter((s) => s.state !== 'empty').every((s) => s.name), JSON.stringify(states));
    assert.equal(states.at(-1).state, 'complete');
    assert.ok(states.at(-1).reviews > 0, JSON.stringify(states));
  });

  test('web: @defer on an ad-hoc query, and a client without multipart gets one whole body', async () => {
    const query = gql`query Page($id: ID!) { product(id: $id) { name ... @defer { ratingSummary { count } } } }`;
    const { data } = await apollo(env.web).query({ query, variables: { id: 'prd_000042' } });
    assert.ok(data.product.ratingSummary.count > 0);
    const res = await fetch(`${env.web}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'query Page($id: ID!) { product(id: $id) { name ... @defer { ratingSummary { count } } } }', variables: { id: 'prd_000042' } }),
    });
    const body = await res.json();
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.ok(body.data.product.ratingSummary.count > 0, JSON.stringify(body));
    assert.equal(body.hasNext, undefined);
  });
});

// --- urql ------------------------------------------------------------------

function urql(uri, { token, persisted, fetchFn = fetch } = {}) {
  const exchanges = persisted ? [persistedExchange(persisted), fetchExchange] : [fetchExchange];
  return new Client({
    url: `${uri}/graphql`,
    exchanges,
    fetch: fetchFn,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
  });
}

describe('urql', { timeout: 60_000 }, () => {
  test('web: a query with variables', async () => {
    const r = await urql(env.web).query(ugql`query($q: String) { products(first: 3, filter: { query: $q }) { nodes { id name } } }`, { q: 'kettle' }).toPromise();
    assert.equal(r.error, undefined);
    assert.ok(r.data.products.nodes.length > 0);
  });

  test('web: an authenticated query and a mutation', async () => {
    const client = urql(env.web, { token: env.token });
    const me = await client.query(ugql`{ viewer { id } }`, {}).toPromise();
    assert.equal(me.data.viewer.id, 'usr_000042');
    const added = await client.mutation(ugql`mutation($id: ID!) { addToCart(productId: $id) { itemCount } }`, { id: 'prd_000007' }).toPromise();
    assert.equal(added.error, undefined);
    assert.ok(added.data.addToCart.itemCount >= 1);
  });

  test('mobile: partial results carry a code', async (t) => {
    await stack.fault('reviews', '', { kind: 'error', status: 503 });
    t.after(() => stack.clearFaults());
    const r = await urql(env.mobileLog).query(ugql`{ product(id: "prd_000042") { name rating { average } } }`, {}).toPromise();
    assert.ok(r.data.product.name);
    assert.equal(r.data.product.rating, null);
    assert.equal(r.error.graphQLErrors[0].extensions.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(r.error.graphQLErrors[0].extensions.service, 'reviews');
  });

  test('mobile (log mode): automatic persisted queries, miss → register → hit', async () => {
    const { fetch: fetchFn, log } = recordingFetch();
    const client = urql(env.mobileLog, { persisted: {}, fetchFn });
    const doc = ugql`query Tile($id: ID!) { product(id: $id) { name brand } }`;
    const a = await client.query(doc, { id: 'prd_000031' }).toPromise();
    assert.equal(a.error, undefined);
    const b = await client.query(doc, { id: 'prd_000031' }).toPromise();
    assert.equal(b.data.product.name, a.data.product.name);
    assert.deepEqual(log.map((r) => [r.hasQuery, !!r.hash, r.status]), [[false, true, 200], [true, true, 200], [false, true, 200]]);
  });

  test('mobile (enforce): a manifest-only operation by hash; ad-hoc operations are refused', async () => {
    const { fetch: fetchFn, log } = recordingFetch();
    const client = urql(env.mobile, {
      fetchFn,
      persisted: {
        enforcePersistedQueries: true,
        enableForMutation: true,
        generateHash: async (_query, doc) => env.manifest[doc.definitions[0].name.value].id,
      },
    });
    const r = await client.query(ugql(env.manifest.Search.body), { query: 'kettle', first: 5 }).toPromise();
    assert.equal(r.error, undefined);
    assert.ok(r.data.search.nodes.length > 0);
    assert.ok(log.every((x) => !x.hasQuery));

    const refused = await urql(env.mobile).query(ugql`{ product(id: "prd_000042") { name } }`, {}).toPromise();
    assert.equal(refused.error.graphQLErrors[0].extensions.code, 'PERSISTED_QUERY_NOT_IN_LIST');
  });

  test('mobile (enforce): documentId, as GraphQL Code Generator\'s client preset sends it', async () => {
    const res = await fetch(`${env.mobile}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ documentId: env.manifest.Search.id, variables: { query: 'kettle' } }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.ok(body.data.search.nodes.length > 0);
  });
});

// --- HTTP-level errors and the audit --------------------------------------

describe('GraphQL over HTTP', { timeout: 60_000 }, () => {
  // As `make run` starts them: the audit's variables checks query __type,
  // which production mode refuses (INTROSPECTION_DISABLED) on purpose.
  for (const [name, url] of [['bff-web', () => env.webDev], ['bff-mobile', () => env.mobileDev]]) {
    test(`${name} (dev): the graphql-http audit passes with no warning and no error`, async () => {
      const results = await auditServer({
        url: `${url()}/graphql`,
        // The CSRF prevention asks GET requests for a preflight-forcing
        // header, as every client configured for this API sends.
        fetchFn: (input, init = {}) => fetch(input, { ...init, headers: { ...(init.headers ?? {}), 'apollo-require-preflight': 'true' } }),
      });
      const by = (s) => results.filter((r) => r.status === s);
      const summary = `${by('ok').length} ok, ${by('notice').length} notices, ${by('warn').length} warnings, ${by('error').length} errors`;
      test.diagnostic?.(summary);
      console.log(`${name} audit: ${summary}`);
      const bad = [...by('warn'), ...by('error')].map((r) => `${r.id} ${r.name}: ${r.reason}`);
      assert.deepEqual(bad, [], summary);
    });
  }

  test('401 and 429 answer in the media type an Apollo Client 4 accepts', async () => {
    const accept = 'application/graphql-response+json';
    const res = await fetch(`${env.web}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: 'Bearer not.a.token' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), `${accept}; charset=utf-8`);
    assert.equal((await res.json()).errors[0].extensions.code, 'UNAUTHENTICATED');

    const { error } = await apollo(env.web, { token: 'not.a.token' }).query({ query: gql`{ viewer { id } }` });
    assert.ok(CombinedGraphQLErrors.is(error), `Apollo Client sees GraphQL errors, not a bare ServerError: ${error}`);
    assert.deepEqual(codes(error), ['UNAUTHENTICATED']);

    const client = apollo(env.webTight);
    const query = gql`{ product(id: "prd_000042") { name } }`;
    for (let i = 0; i < 2; i++) assert.equal((await client.query({ query })).error, undefined);
    const limited = await client.query({ query });
    assert.ok(CombinedGraphQLErrors.is(limited.error), `429: ${limited.error}`);
    const e = limited.error.errors[0];
    assert.equal(e.extensions.code, 'RATE_LIMITED');
    assert.equal(e.extensions.scope, 'address');
    assert.match(e.message, /requests budget for signed-out callers from this address \(2 requests per 1h0m0s\)/);
    const raw = await fetch(`${env.webTight}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('content-type'), `${accept}; charset=utf-8`);
    assert.ok(Number(raw.headers.get('retry-after')) > 0);
  });
});

describe('Chromium', { timeout: 120_000 }, () => browserTests(env));
