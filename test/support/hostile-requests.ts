import fc from 'fast-check';
import { validateHeaderValue } from 'node:http';

/** Everything a generated request is made of; sent as raw bytes so nothing gets "fixed" on the way. */
export interface HostileRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Overrides the endpoint's path (generated paths, e.g. hostile admin path segments). */
  path?: string;
  query: string;
  contentType?: string;
  authorization?: string;
  extraHeaders: Record<string, string>;
  body: Buffer;
}

/** Values a case may put into parameters: the fixtures of that case plus hostile strings. */
export interface ValuePool {
  /** Known-good values (a live refresh token, the client id and secret, ...). */
  valid: Record<string, string>;
  /** The parameters of a well-formed request, which generated bodies often start from. */
  base?: [string, string][];
  /** The Authorization header of a well-formed request, if it uses one. */
  authorization?: string;
}

const OAUTH_NAMES = [
  'grant_type', 'refresh_token', 'client_id', 'client_secret', 'scope', 'code', 'redirect_uri',
  'code_verifier', 'token', 'token_type_hint', 'response_type', 'state', 'subject', 'family_id',
  'code_challenge', 'code_challenge_method', 'error', 'error_description', 'request_uri',
];

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as in any encoder). */
export function formEncode(text: string): string {
  // Byte by byte through latin1 (one char per byte); a regex replace keeps 100 KB values cheap.
  return Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9*\-._]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\r\n', ' ', '+', '%', '..', '{}', '[]', 'null', '\uFEFF', '\u202Eabc', 'é', '😀'),
  fc.constantFrom(100 * 1024, 17 * 1024, 2000).map((size) => 'x'.repeat(size)),
);

function valueArb(pool: ValuePool): fc.Arbitrary<string> {
  const valid = Object.values(pool.valid);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid, 'refresh_token', 'client_credentials', 'authorization_code', 'read', 'read write') },
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.constantFrom(...valid).chain((value) => fc.nat({ max: value.length }).map((cut) => value.slice(0, cut) + '\u0000' + value.slice(cut))) },
  );
}

const nameArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...OAUTH_NAMES) }, { weight: 1, arbitrary: hostileText });

/** Name/value pairs, with names repeated on purpose now and then. */
export function paramsArb(pool: ValuePool): fc.Arbitrary<[string, string][]> {
  const pair = fc.tuple(nameArb, valueArb(pool));
  const random = fc.array(pair, { maxLength: 8 });
  // Near-valid: the well-formed parameters, some dropped, plus a few random ones.
  const base = pool.base ?? [];
  const nearValid = fc.tuple(fc.subarray(base, { minLength: Math.max(0, base.length - 1) }), fc.array(pair, { maxLength: 2 })).map(([kept, extra]) => [...kept, ...extra]);
  return fc.oneof(random, nearValid, nearValid).chain((pairs) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant<[string, string][]>(pairs) },
      { weight: 1, arbitrary: fc.constant<[string, string][]>(pairs.length > 0 ? [...pairs, pairs[0]] : pairs) },
    ),
  );
}

const encodePairs = (pairs: [string, string][]) => pairs.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');

/** Bodies: well-formed forms, broken encodings, raw bytes, JSON, oversize. */
export function bodyArb(pool: ValuePool): fc.Arbitrary<Buffer> {
  const form = paramsArb(pool).map((pairs) => Buffer.from(encodePairs(pairs)));
  return fc.oneof(
    { weight: 5, arbitrary: form },
    { weight: 1, arbitrary: fc.tuple(paramsArb(pool), fc.constantFrom('%', '%zz', '%E0%A4%A', '%C3%28', '%00', '%FF%FE', '%ED%A0%80', '=&=&&=', '&&&&')).map(([pairs, bad]) => Buffer.from(`${encodePairs(pairs)}&x=${bad}`)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: paramsArb(pool).map((pairs) => Buffer.from(JSON.stringify(Object.fromEntries(pairs)))) },
    { weight: 1, arbitrary: fc.constantFrom(17 * 1024, 200 * 1024).map((size) => Buffer.from(`grant_type=refresh_token&refresh_token=${'a'.repeat(size)}`)) },
    { weight: 1, arbitrary: fc.integer({ min: 65, max: 300 }).map((count) => Buffer.from(Array.from({ length: count }, (_, i) => `p${i}=v`).join('&'))) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  );
}

const base64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** Authorization headers: absent, valid, wrong, malformed, huge, unicode ids. */
export function authorizationArb(pool: ValuePool): fc.Arbitrary<string | undefined> {
  const { client_id: id = 'x', client_secret: secret = 'y' } = pool.valid;
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(pool.authorization ?? `Basic ${base64(`${formEncode(id)}:${formEncode(secret)}`)}`),
    fc.constant(pool.authorization ?? `Basic ${base64(`${formEncode(id)}:${formEncode(secret)}`)}`),
    fc.tuple(hostileText, hostileText).map(([user, pass]) => `Basic ${base64(`${formEncode(user)}:${formEncode(pass)}`)}`),
    fc.tuple(hostileText, hostileText).map(([user, pass]) => `Basic ${base64(`${user}:${pass}`)}`),
    hostileText.map((text) => `Basic ${base64(text)}`),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => `Basic ${base64(Buffer.from(bytes))}`),
    fc.constantFrom('Basic', 'Basic ', 'Basic !!!!', 'Basic ====', 'Basic YQ', `Basic ${'A'.repeat(8000)}`, 'Bearer abc', 'basic   Zm9vOmJhcg==', 'Digest x'),
    hostileText,
  );
}

const headerSafe = (value: string | undefined) => {
  if (value === undefined) return true;
  try {
    validateHeaderValue('x', value);
    return !/[^\x00-\xff]/.test(value);
  } catch {
    return false;
  }
};

/** Query strings: encoded parameters (often near-valid), broken encodings, raw bytes, huge ones. */
export function queryArb(pool: ValuePool): fc.Arbitrary<string> {
  const rawByte = fc.integer({ min: 0x21, max: 0xff }).filter((code) => code !== 0x23);
  return fc.oneof(
    { weight: 6, arbitrary: paramsArb(pool).map((pairs) => `?${encodePairs(pairs)}`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(paramsArb(pool), fc.constantFrom('%', '%zz', '%E0%A4%A', '%C3%28', '%00', '%FF%FE', '%ED%A0%80', '=&=&&=', '&&&&', '%0D%0A', 'a=%'))
        .map(([pairs, bad]) => `?${encodePairs(pairs)}&${bad}`),
    },
    { weight: 1, arbitrary: fc.array(rawByte, { maxLength: 60 }).map((codes) => `?${String.fromCharCode(...codes)}`) },
    { weight: 1, arbitrary: fc.constantFrom('', '?', '?%zz', '?a=1&a=2', '?%00', '?x[y]=1', '?__proto__=1', `?state=${'s'.repeat(60 * 1024)}`) },
  );
}

/** GET-style requests whose hostility is in the query string (the authorization endpoint). */
export function queryRequestArb(pool: ValuePool, methods: HostileRequest['method'][]): fc.Arbitrary<HostileRequest> {
  return fc
    .record({
      method: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.constantFrom<HostileRequest['method']>('POST', 'PUT', 'DELETE') }),
      query: queryArb(pool),
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: fc.constantFrom(FORM_TYPE, 'application/json', 'text/html') }),
      authorization: fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: authorizationArb(pool) }),
      extraHeaders: extraHeadersArb,
      body: fc.oneof({ weight: 6, arbitrary: fc.constant(Buffer.alloc(0)) }, { weight: 1, arbitrary: bodyArb(pool) }),
    })
    .filter((request) => headerSafe(request.contentType) && headerSafe(request.authorization))
    .map(withDescription);
}

/** What an admin request's JSON body and paths are made of. */
export interface AdminPool extends ValuePool {
  /** The admin API key. */
  apiKey: string;
  /** Path segments that name something real (a live login challenge, a family id). */
  segments: string[];
  /** Member names of the JSON bodies. */
  members: string[];
}

/** Bearer headers: absent, valid, near-valid (case, spaces, prefixes), wrong schemes, huge. */
export function bearerArb(apiKey: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${apiKey}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        undefined, `bearer ${apiKey}`, `BEARER   ${apiKey}  `, `Bearer ${apiKey}x`, `Bearer ${apiKey.slice(0, -1)}`, `Bearer ${apiKey} ${apiKey}`,
        `Bearer	${apiKey}`, apiKey, `Basic ${base64(`admin:${apiKey}`)}`, 'Bearer', 'Bearer ', `Bearer ${'A'.repeat(8000)}`,
        `Bearer ${apiKey}${' '.repeat(2000)}`, `Bearer ${'é'.repeat(10)}`, 'Bearer %00', `Bearer=${apiKey}`,
      ),
    },
    { weight: 1, arbitrary: hostileText.map((text) => `Bearer ${text}`) },
    { weight: 1, arbitrary: hostileText },
  );
}

/** One path segment: something real, a near miss, or hostile (bad percent-encoding, dots, huge). */
function segmentArb(pool: AdminPool): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool.segments) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '%', '%zz', '%E0%A4%A', '%C3%28', '%00', '%2F', '%2e%2e', '..', '.', '%FF', 'A'.repeat(43), 'A'.repeat(42) + '%00',
        '_'.repeat(43), 'x'.repeat(5000), '00000000-0000-0000-0000-000000000000', '%20', '%3F', ';', ':', '*', '(', '%25',
      ),
    },
    { weight: 1, arbitrary: hostileText.map(formEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...pool.segments).chain((value) => fc.nat({ max: value.length }).map((cut) => `${value.slice(0, cut)}%00${value.slice(cut)}`)) },
  );
}

/** Routes under /admin: the real ones (mostly with their own method) with hostile segments, near misses. */
export function adminRouteArb(pool: AdminPool): fc.Arbitrary<{ method: HostileRequest['method']; path: string }> {
  const segment = segmentArb(pool);
  const anyMethod = fc.constantFrom<HostileRequest['method']>('GET', 'POST', 'DELETE', 'PUT');
  const route = (method: HostileRequest['method'], path: fc.Arbitrary<string>) =>
    fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: anyMethod }), path).map(([m, p]) => ({ method: m, path: p }));
  return fc.oneof(
    { weight: 2, arbitrary: route('GET', segment.map((seg) => `/admin/login-requests/${seg}`)) },
    { weight: 3, arbitrary: route('POST', fc.tuple(segment, fc.constantFrom('/accept', '/reject')).map(([seg, tail]) => `/admin/login-requests/${seg}${tail}`)) },
    { weight: 2, arbitrary: route('GET', fc.constant('/admin/token-families')) },
    { weight: 2, arbitrary: route('DELETE', fc.oneof(fc.constant('/admin/token-families'), segment.map((seg) => `/admin/token-families/${seg}`))) },
    {
      weight: 1,
      arbitrary: route(
        'GET',
        fc.oneof(
          fc.constantFrom('/admin', '/admin/', '/admin/login-requests', '/admin/login-requests/', '//admin/token-families', '/admin/%2e%2e/health/live', '/admin/token-families/a/b'),
          fc.tuple(segment, fc.constantFrom('/other', '/accept/x', '/')).map(([seg, tail]) => `/admin/login-requests/${seg}${tail}`),
        ),
      ),
    },
  );
}

/** JSON members: the documented ones with valid and hostile values, plus stray and proto names. */
function adminBodyArb(pool: AdminPool): fc.Arbitrary<Buffer> {
  const value = fc.oneof(
    { weight: 4, arbitrary: valueArb(pool) as fc.Arbitrary<unknown> },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, 0, -1, 1e308, [], ['alice'], {}, { $ne: null }, 'access_denied', 'server_error', 'read', '') },
  );
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool.members) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') }, { weight: 1, arbitrary: hostileText });
  const object = fc.array(fc.tuple(name, value), { maxLength: 5 }).map((entries) => {
    // JSON.stringify of an object would drop a "__proto__" member: build the text by hand.
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${JSON.stringify(item) ?? 'null'}`).join(',')}}`;
  });
  return fc.oneof(
    { weight: 8, arbitrary: object.map((text) => Buffer.from(text)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('', '{', '{"subject": ', '"alice"', '[]', 'null', '1', '{"subject":"alice"}{}', '{"subject":"\ud800"}', '{"a":1,"a":2}', `{"subject":"${'a'.repeat(17 * 1024)}"}`, `[${'['.repeat(5000)}`).map((text) => Buffer.from(text)),
    },
    { weight: 1, arbitrary: bodyArb(pool) },
  );
}

/** Admin API requests: JSON bodies, hostile Bearer headers, hostile paths and query strings. */
export function adminRequestArb(pool: AdminPool): fc.Arbitrary<HostileRequest> {
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: paramsArb(pool).map((pairs) => `?${encodePairs(pairs)}`) },
    { weight: 1, arbitrary: queryArb(pool) },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | undefined>('application/json') },
    { weight: 2, arbitrary: fc.constantFrom(undefined, 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', FORM_TYPE, 'text/plain', '', ';') },
    { weight: 1, arbitrary: hostileText },
  );
  return fc
    .record({
      route: adminRouteArb(pool),
      query,
      contentType,
      authorization: bearerArb(pool.apiKey),
      extraHeaders: extraHeadersArb,
      body: adminBodyArb(pool),
    })
    .filter((request) => headerSafe(request.contentType) && headerSafe(request.authorization))
    .map(({ route, ...rest }) => withDescription({ ...rest, ...route }));
}

const extraHeadersArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ 'Content-Encoding': 'gzip' }, { 'Transfer-Encoding': 'chunked' }, { 'X-Forwarded-For': '1.2.3.4, ::1' }, { Accept: 'text/html' }) },
);

const withDescription = (request: HostileRequest) => Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });

export function requestArb(pool: ValuePool, methods: HostileRequest['method'][]): fc.Arbitrary<HostileRequest> {
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | undefined>(FORM_TYPE) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, `${FORM_TYPE}; charset=utf-8`, `${FORM_TYPE}; charset=ISO-8859-1`, `${FORM_TYPE.toUpperCase()}`, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', '', ';;;', `${FORM_TYPE}, application/json`) },
    { weight: 1, arbitrary: hostileText },
  );
  const query = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: paramsArb(pool).map((pairs) => `?${encodePairs(pairs)}`) },
    { weight: 1, arbitrary: fc.constantFrom('?%zz', '?a=1&a=2', '?grant_type=refresh_token', '?%00', '?x[y]=1', '?__proto__=1') },
  );
  return fc
    .record({
      method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.constantFrom<HostileRequest['method']>('GET', 'PUT', 'DELETE') }),
      query,
      contentType,
      authorization: authorizationArb(pool),
      extraHeaders: extraHeadersArb,
      body: bodyArb(pool),
    })
    .filter((request) => headerSafe(request.contentType) && headerSafe(request.authorization))
    .map(withDescription);
}

/** A short, printable rendering for failure reports (bodies and headers may be 100 KB). */
export function describeRequest(req: HostileRequest): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
  return JSON.stringify({ ...req, path: req.path && cut(req.path), query: cut(req.query), authorization: req.authorization && cut(req.authorization), body: cut(req.body.toString('latin1')) });
}

/** RFC 6749 §5.2: error and error_description are restricted to printable ASCII without " and \. */
const NQSCHAR = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function rfcErrorBodyProblems(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return 'body is not a JSON object';
  const { error, error_description: description, ...rest } = body as Record<string, unknown>;
  if (typeof error !== 'string' || error === '' || !NQSCHAR.test(error)) return `bad "error": ${JSON.stringify(error)}`;
  if (description !== undefined && (typeof description !== 'string' || !NQSCHAR.test(description))) {
    return `bad "error_description": ${JSON.stringify(description)}`;
  }
  const unexpected = Object.keys(rest).filter((key) => key !== 'error_uri');
  return unexpected.length > 0 ? `unexpected members ${unexpected.join(', ')}` : null;
}

/** FUZZ_RUNS scales every property; CI keeps the defaults (a few thousand cases in all). */
export function fuzzRuns(defaultRuns: number): number {
  const configured = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(configured) && configured > 0 ? configured : defaultRuns;
}
