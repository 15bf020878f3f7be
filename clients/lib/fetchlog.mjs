// A fetch that records what a client library sends and what it gets back,
// so the tests can check the wire protocol (hash-only, then hash and text;
// GET or POST; multipart or JSON) and not only the client's result.

export function recordingFetch(extraHeaders = {}) {
  const log = [];
  const fetchFn = async (input, init = {}) => {
    const req = new Request(input, init);
    for (const [k, v] of Object.entries(extraHeaders)) req.headers.set(k, v);
    const body = req.method === 'POST' ? await req.clone().text() : undefined;
    const res = await fetch(req);
    let json;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const url = new URL(req.url);
    const params = req.method === 'GET' ? Object.fromEntries(url.searchParams) : json ?? {};
    const extensions = typeof params.extensions === 'string' ? JSON.parse(params.extensions) : params.extensions;
    log.push({
      method: req.method,
      hasQuery: typeof params.query === 'string' && params.query !== '',
      hash: extensions?.persistedQuery?.sha256Hash,
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      cacheControl: res.headers.get('cache-control') ?? '',
    });
    return res;
  };
  return { fetch: fetchFn, log };
}

/** Operation name → manifest entry. */
export function byName(manifest) {
  return Object.fromEntries(manifest.operations.map((op) => [op.name, op]));
}
