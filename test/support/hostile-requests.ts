import fc from 'fast-check';
import { validateHeaderValue } from 'node:http';

/** Everything a generated request is made of; sent as raw bytes so nothing gets "fixed" on the way. */
export interface HostileRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
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
];

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as in any encoder). */
export function formEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
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
  const extraHeaders = fc.oneof(
    { weight: 4, arbitrary: fc.constant<Record<string, string>>({}) },
    { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ 'Content-Encoding': 'gzip' }, { 'Transfer-Encoding': 'chunked' }, { 'X-Forwarded-For': '1.2.3.4, ::1' }, { Accept: 'text/html' }) },
  );
  return fc
    .record({
      method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.constantFrom<HostileRequest['method']>('GET', 'PUT', 'DELETE') }),
      query,
      contentType,
      authorization: authorizationArb(pool),
      extraHeaders,
      body: bodyArb(pool),
    })
    .filter((request) => headerSafe(request.contentType) && headerSafe(request.authorization))
    .map((request) => Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) }));
}

/** A short, printable rendering for failure reports (bodies and headers may be 100 KB). */
export function describeRequest(req: HostileRequest): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
  return JSON.stringify({ ...req, query: cut(req.query), authorization: req.authorization && cut(req.authorization), body: cut(req.body.toString('latin1')) });
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
