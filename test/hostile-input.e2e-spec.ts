import fc from 'fast-check';
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizeService, ClientsRepository, ClientsService, DatabaseService, FAMILY_ID_CLAIM, IntrospectionService, OAuthParams, PAR_REQUEST_URI_PREFIX } from 'nest-oauth-server';
import { ADMIN_API_KEY, CodeFlow, codeFlowEnv, LOGIN_URL, pkcePair, REDIRECT_URI } from './support/code-flow';
import {
  adminRequestArb,
  describeRequest,
  fuzzRuns,
  HostileRequest,
  queryRequestArb,
  requestArb,
  rfcErrorBodyProblems,
  ValuePool,
} from './support/hostile-requests';
import { TestApp, TestClient } from './support/test-app';

/**
 * Property-based hostile input (issue #7 §2). One table row per endpoint: how to prepare the valid
 * values a case may mix in, how a success looks, and which changes of the database a response is
 * allowed to cause. Every generated case, on every endpoint, must keep the invariants below.
 */

interface Counts {
  families: number;
  liveFamilies: number;
  tokens: number;
  liveTokens: number;
  clients: number;
  loginRequests: number;
  pendingLogins: number;
  codes: number;
  revokedAccessTokens: number;
  pushedRequests: number;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One generated request (placeholders substituted) and its answer. */
interface Case {
  req: HostileRequest;
  reply: Reply;
}

type Delta = Partial<Counts>;

interface Effect {
  name: string;
  when: (c: Case) => boolean;
  delta: Delta | ((c: Case) => Delta);
}

interface EndpointUnderTest {
  name: string;
  path: string;
  methods: HostileRequest['method'][];
  /** Valid values the generated requests mix in; may contain placeholders, see `perCase`. */
  pool: (fixtures: Fixtures) => ValuePool;
  /** The generator; by default form requests (`requestArb`) over the pool. */
  requests?: (fixtures: Fixtures) => fc.Arbitrary<HostileRequest>;
  /** Extra fixtures made once per row (named values the pool may use). */
  setup?: (t: TestApp, client: TestClient) => Promise<Record<string, string>>;
  /** The fixture client's registration (e.g. allowed to introspect). */
  client?: Parameters<TestApp['createClient']>[0];
  /** Values made fresh for every case (e.g. a live refresh token), substituted for placeholders. */
  perCase?: (t: TestApp, fixtures: Fixtures) => Promise<Record<string, string>>;
  /** The shape of an answer below 400. */
  success: (c: Case, fixtures: Fixtures) => string | null;
  /** The shape of a 4xx answer; an RFC 6749 §5.2 JSON body unless said otherwise. */
  failure?: (c: Case) => string | null;
  /** Whether the endpoint promises `Cache-Control: no-store` for this answer (default: always). */
  noStore?: (c: Case) => boolean;
  /** Changes to the database a response may cause, besides none at all. */
  effects: Effect[];
  /** Checks after the run, e.g. that nothing of another client was touched. */
  afterRun?: (t: TestApp, fixtures: Fixtures) => Promise<void>;
  runs: number;
  /** Environment for this row's app (e.g. to fuzz with the rate limiter on). */
  env?: Record<string, string>;
  /** Statuses a run of the default size must have produced (proof the row reaches its logic). */
  mustSee?: number[];
}

interface Fixtures {
  client: TestClient;
  retired: string;
  values: Record<string, string>;
}

/** Same length and alphabet as a refresh token, so it survives any encoding unchanged. */
const FRESH_TOKEN = 'FRESHxREFRESHxTOKENxPLACEHOLDERx0123456789x';
const FRESH_ACCESS_TOKEN = 'FRESHxACCESSxTOKENxPLACEHOLDER';
const LIVE_CHALLENGE = 'LIVExLOGINxCHALLENGExPLACEHOLDERx0123456789';
const LIVE_FAMILY = 'LIVExFAMILYxIDxPLACEHOLDER';
/** Replaced by the request_uri of a request freshly pushed for the `main` code-flow client. */
const LIVE_REQUEST_URI = 'LIVExREQUESTxURIxPLACEHOLDER';
const OTHER_REDIRECT_URI = 'https://other.example/cb?keep=1';
const NATIVE_REDIRECT_URI = 'com.example.app:/cb';

const TOKEN_ENDPOINT: EndpointUnderTest = {
  name: 'POST /oauth/token',
  path: '/oauth/token',
  methods: ['POST'],
  pool: ({ client, retired }) => ({
    valid: { client_id: client.clientId, client_secret: client.clientSecret!, refresh_token: FRESH_TOKEN, retired },
    base: [['grant_type', 'refresh_token'], ['refresh_token', FRESH_TOKEN]],
  }),
  perCase: async (t, { client }) => ({ [FRESH_TOKEN]: (await t.issueTokens(client)).refresh_token! }),
  success: ({ reply: { body } }) => {
    const response = body as Record<string, unknown>;
    return typeof response.access_token === 'string' && response.token_type === 'Bearer' && typeof response.refresh_token === 'string'
      ? null
      : `not an RFC 6749 §5.1 response: ${JSON.stringify(body)}`;
  },
  effects: [
    { name: 'one rotation', when: ({ reply }) => reply.status === 200, delta: { tokens: 1 } },
    {
      name: 'reuse of a retired token revokes its family',
      when: ({ reply }) => reply.status === 400 && (reply.body as { error?: string }).error === 'invalid_grant',
      delta: { liveFamilies: -1, liveTokens: -1 },
    },
  ],
  runs: 1500,
  mustSee: [200, 400, 401],
};

/** A live refresh and access token of the fixture client for every case. */
async function freshTokens(t: TestApp, { client }: Fixtures): Promise<Record<string, string>> {
  const issued = await t.issueTokens(client);
  return { [FRESH_TOKEN]: issued.refresh_token!, [FRESH_ACCESS_TOKEN]: issued.access_token };
}

/** A refresh token of another client, which the fixture client must not be able to end. */
async function foreignToken(t: TestApp): Promise<Record<string, string>> {
  const other = await t.createClient();
  return { foreign: (await t.issueTokens(other)).refresh_token! };
}

async function foreignTokenStaysActive(t: TestApp, { values }: Fixtures): Promise<void> {
  expect(await t.get(IntrospectionService).introspect(values.foreign)).toMatchObject({ active: true });
}

/** RFC 7009 / RFC 7662 requests: a token of any kind, hints, the client's credentials. */
const tokenStatusPool = ({ client, retired, values }: Fixtures): ValuePool => ({
  valid: {
    client_id: client.clientId,
    client_secret: client.clientSecret!,
    refresh_token: FRESH_TOKEN,
    access_token: FRESH_ACCESS_TOKEN,
    retired,
    foreign: values.foreign,
    hint_access: 'access_token',
    hint_refresh: 'refresh_token',
  },
  base: [['token', FRESH_TOKEN], ['token_type_hint', 'refresh_token']],
});

const REVOCATION_ENDPOINT: EndpointUnderTest = {
  name: 'POST /oauth/revoke',
  path: '/oauth/revoke',
  methods: ['POST'],
  setup: foreignToken,
  pool: tokenStatusPool,
  perCase: freshTokens,
  // RFC 7009 §2.2: 200 with an empty body whether or not anything was revoked.
  success: ({ reply }) => (reply.status === 200 && reply.body === '' ? null : `not an RFC 7009 §2.2 answer: ${reply.status} ${JSON.stringify(reply.body)}`),
  effects: [
    { name: 'revokes one family', when: ({ reply }) => reply.status === 200, delta: { liveFamilies: -1, liveTokens: -1 } },
    { name: 'revokes one access token', when: ({ reply }) => reply.status === 200, delta: { revokedAccessTokens: 1 } },
  ],
  afterRun: foreignTokenStaysActive,
  runs: 700,
  mustSee: [200, 400, 401],
};

const INTROSPECTION_ENDPOINT: EndpointUnderTest = {
  name: 'POST /oauth/introspect',
  path: '/oauth/introspect',
  methods: ['POST'],
  client: { allowIntrospection: true },
  setup: foreignToken,
  pool: tokenStatusPool,
  perCase: freshTokens,
  success: ({ reply }) => {
    const body = reply.body as Record<string, unknown>;
    if (reply.status !== 200) return `status ${reply.status}`;
    // RFC 7662 §2.2: an inactive token is described by `active: false` alone.
    if (body.active === false) return Object.keys(body).length === 1 ? null : `inactive answer with members: ${JSON.stringify(body)}`;
    const complete = body.active === true && ['client_id', 'sub', 'jti', 'iss'].every((key) => typeof body[key] === 'string') && typeof body.exp === 'number';
    return complete ? null : `not an RFC 7662 §2.2 answer: ${JSON.stringify(body)}`;
  },
  effects: [],
  afterRun: foreignTokenStaysActive,
  runs: 700,
  mustSee: [200, 400, 401],
};

/** Clients of the code flow; `registered` lists where each may be redirected (disabled: nowhere). */
async function codeFlowClients(t: TestApp): Promise<Record<string, string>> {
  const flow = new CodeFlow(t);
  const main = await flow.createClient();
  const other = await flow.createClient({ redirectUris: [OTHER_REDIRECT_URI, NATIVE_REDIRECT_URI] });
  const disabled = await flow.createClient();
  await t.get(ClientsService).disable(disabled.clientId);
  const registered = { [main.clientId]: [REDIRECT_URI], [other.clientId]: [OTHER_REDIRECT_URI, NATIVE_REDIRECT_URI] };
  return { main: main.clientId, other: other.clientId, disabled: disabled.clientId, registered: JSON.stringify(registered) };
}

const isHtml = (reply: Reply) => String(reply.headers['content-type'] ?? '').startsWith('text/html');

/**
 * RFC 6749 §4.1.2.1: a request with a missing, invalid or mismatching client or redirect URI MUST
 * NOT redirect to it. So a 302 goes to the login application, or to a redirect URI registered for
 * the (single) client_id of the request and named exactly by its (single) redirect_uri.
 */
function authorizeRedirectProblems({ req, reply }: Case, { values }: Fixtures): string | null {
  if (reply.status !== 302) return `status ${reply.status}`;
  const location = String(reply.headers.location ?? '');
  if (location.startsWith(`${LOGIN_URL}?login_challenge=`)) return null;
  const query = new URLSearchParams(req.query.replace(/^\?/, ''));
  const [ids, uris] = [query.getAll('client_id'), query.getAll('redirect_uri')];
  const registered = (JSON.parse(values.registered) as Record<string, string[]>)[ids[0]] ?? [];
  if (ids.length !== 1 || uris.length !== 1 || !registered.includes(uris[0])) return `redirect to ${location.slice(0, 200)} (not registered)`;
  if (!location.startsWith(uris[0] + (uris[0].includes('?') ? '&' : '?'))) return `redirect to ${location.slice(0, 200)}, not to ${uris[0]}`;
  const params = new URL(location).searchParams;
  // RFC 6749 §4.1.2.1 error and RFC 9207 iss on every error redirect.
  return params.get('error') && params.get('iss') ? null : `error redirect without error or iss: ${location.slice(0, 200)}`;
}

const AUTHORIZE_ENDPOINT: EndpointUnderTest = {
  name: 'GET /oauth/authorize',
  path: '/oauth/authorize',
  methods: ['GET'],
  env: codeFlowEnv,
  setup: codeFlowClients,
  pool: ({ values }) => {
    const { challenge } = pkcePair();
    return {
      valid: {
        client_id: values.main,
        other: values.other,
        disabled: values.disabled,
        redirect_uri: REDIRECT_URI,
        other_uri: OTHER_REDIRECT_URI,
        native_uri: NATIVE_REDIRECT_URI,
        near_uri: `${REDIRECT_URI}/`,
        code: 'code',
        challenge,
        method: 'S256',
        state: 'xyz',
        request_uri: LIVE_REQUEST_URI,
        unknown_request_uri: `${PAR_REQUEST_URI_PREFIX}${'A'.repeat(43)}`,
      },
      base: [
        ['response_type', 'code'],
        ['client_id', values.main],
        ['redirect_uri', REDIRECT_URI],
        ['scope', 'read'],
        ['state', 'xyz'],
        ['code_challenge', challenge],
        ['code_challenge_method', 'S256'],
      ],
    };
  },
  // Half the cases start from a plain request, half from client_id + a live request_uri (RFC 9126 §4).
  requests: (fixtures) => {
    const pool = AUTHORIZE_ENDPOINT.pool(fixtures);
    const pushed: [string, string][] = [['client_id', fixtures.values.main], ['request_uri', LIVE_REQUEST_URI]];
    return fc.oneof(queryRequestArb(pool, ['GET']), queryRequestArb({ ...pool, base: pushed }, ['GET']));
  },
  perCase: async (t, { values }) => ({ [LIVE_REQUEST_URI]: await pushFor(t, values.main) }),
  success: authorizeRedirectProblems,
  // Errors the client cannot be told about are an HTML page (§4.1.2.1); other methods are JSON 404s.
  failure: ({ req, reply }) => {
    if (!isHtml(reply)) return rfcErrorBodyProblems(reply.body);
    if (req.method !== 'GET' || reply.status !== 400) return `HTML ${reply.status} for ${req.method}`;
    const csp = String(reply.headers['content-security-policy']);
    if (!csp.startsWith("default-src 'none';") || !csp.includes("frame-ancestors 'none'")) return `CSP ${csp}`;
    return String(reply.body).includes('<h1>Invalid authorization request</h1>') ? null : 'not the error page';
  },
  effects: [
    {
      name: 'one login request',
      when: ({ reply }) => reply.status === 302 && String(reply.headers.location).startsWith(`${LOGIN_URL}?`),
      delta: { loginRequests: 1, pendingLogins: 1 },
    },
    {
      // RFC 9126 §4: the pushed request is used once; another client's attempt consumes nothing.
      name: 'the pushed request becomes a login request',
      when: ({ req, reply }) => reply.status === 302 && String(reply.headers.location).startsWith(`${LOGIN_URL}?`) && req.query.includes(PAR_REQUEST_URI_PREFIX),
      delta: { loginRequests: 1, pendingLogins: 1, pushedRequests: -1 },
    },
  ],
  runs: 800,
  mustSee: [302, 400],
};

/** A request pushed for `clientId` through the service (the PAR endpoint's own code), its request_uri. */
async function pushFor(t: TestApp, clientId: string): Promise<string> {
  const client = (await t.get(ClientsRepository).findById(clientId))!;
  const { challenge } = pkcePair();
  const params = OAuthParams.fromEntries({ response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'read', state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' });
  return (await t.get(AuthorizeService).push(params, client)).request_uri;
}

const PAR_ENDPOINT: EndpointUnderTest = {
  name: 'POST /oauth/par',
  path: '/oauth/par',
  methods: ['POST'],
  env: codeFlowEnv,
  client: { grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI] },
  pool: ({ client }) => {
    const { challenge } = pkcePair();
    return {
      valid: {
        client_id: client.clientId,
        client_secret: client.clientSecret!,
        redirect_uri: REDIRECT_URI,
        near_uri: `${REDIRECT_URI}/`,
        code: 'code',
        challenge,
        method: 'S256',
        state: 'xyz',
        request_uri: `${PAR_REQUEST_URI_PREFIX}${'A'.repeat(43)}`,
      },
      base: [
        ['response_type', 'code'],
        ['redirect_uri', REDIRECT_URI],
        ['scope', 'read'],
        ['state', 'xyz'],
        ['code_challenge', challenge],
        ['code_challenge_method', 'S256'],
      ],
    };
  },
  // RFC 9126 §2.2: 201 with exactly request_uri and expires_in.
  success: ({ reply }) => {
    const body = reply.body as Record<string, unknown>;
    const ok =
      reply.status === 201 &&
      Object.keys(body).sort().join() === 'expires_in,request_uri' &&
      typeof body.request_uri === 'string' &&
      body.request_uri.startsWith(PAR_REQUEST_URI_PREFIX) &&
      body.expires_in === 60;
    return ok ? null : `not an RFC 9126 §2.2 answer: ${reply.status} ${JSON.stringify(body)}`;
  },
  effects: [{ name: 'one pushed request', when: ({ reply }) => reply.status === 201, delta: { pushedRequests: 1 } }],
  runs: 700,
  mustSee: [201, 400, 401],
};

const redirectedWith = (c: Case, name: string) => {
  const target = (c.reply.body as { redirect_to?: unknown }).redirect_to;
  return c.reply.status === 200 && typeof target === 'string' && new URL(target).searchParams.has(name);
};

const isFamiliesAnswer = (body: unknown) => Array.isArray(body) || (typeof body === 'object' && body !== null && 'revoked' in body);

/** The admin API's documented answers (docs/readme/issue-3.md, issue-7.md). */
function adminSuccessProblems({ reply }: Case): string | null {
  const body = reply.body as Record<string, unknown>;
  if (reply.status !== 200) return `status ${reply.status}`;
  if (Array.isArray(body)) return body.every((family) => typeof family.family_id === 'string') ? null : `bad family list ${JSON.stringify(body)}`;
  if (typeof body.revoked === 'number') return Array.isArray(body.family_ids) && body.family_ids.length === body.revoked ? null : `bad revocation ${JSON.stringify(body)}`;
  if (typeof body.redirect_to === 'string') return body.redirect_to.startsWith(`${REDIRECT_URI}?`) ? null : `redirect_to ${body.redirect_to}`;
  const view = typeof body.client_id === 'string' && body.redirect_uri === REDIRECT_URI && typeof body.expires_at === 'number';
  return view ? null : `not a documented admin answer: ${JSON.stringify(body).slice(0, 300)}`;
}

const ADMIN_API: EndpointUnderTest = {
  name: 'admin API',
  path: '/admin',
  methods: ['GET', 'POST', 'DELETE'],
  env: codeFlowEnv,
  setup: async (t) => {
    const flow = new CodeFlow(t);
    const client = await flow.createClient();
    const spent = await flow.loginChallenge(client, pkcePair().challenge);
    await flow.reject(spent).expect(200);
    return { codeClient: client.clientId, spent, challenge: pkcePair().challenge };
  },
  pool: ({ client, values }) => ({
    valid: { subject: 'alice', client_id: client.clientId, challenge: LIVE_CHALLENGE, family: LIVE_FAMILY, scope: 'read', error: 'access_denied' },
    base: [['subject', 'alice']],
    apiKey: ADMIN_API_KEY,
    segments: [LIVE_CHALLENGE, LIVE_CHALLENGE, LIVE_FAMILY, values.spent],
    members: ['subject', 'scope', 'error', 'error_description', 'client_id'],
  }),
  requests: (fixtures) => adminRequestArb(ADMIN_API.pool(fixtures) as Parameters<typeof adminRequestArb>[0]),
  perCase: async (t, fixtures) => {
    const { values } = fixtures;
    const query = { response_type: 'code', client_id: values.codeClient, redirect_uri: REDIRECT_URI, code_challenge: values.challenge, code_challenge_method: 'S256' };
    const outcome = await t.get(AuthorizeService).authorize(new URLSearchParams(query));
    const challenge = new URL((outcome as { redirectTo: string }).redirectTo).searchParams.get('login_challenge')!;
    const accessToken = (await t.issueTokens(fixtures.client)).access_token;
    const familyId = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString())[FAMILY_ID_CLAIM] as string;
    return { [LIVE_CHALLENGE]: challenge, [LIVE_FAMILY]: familyId };
  },
  success: adminSuccessProblems,
  // The login-request routes promise no-store; errors always carry it (the global filter).
  noStore: ({ reply }) => reply.status >= 400 || !isFamiliesAnswer(reply.body),
  effects: [
    { name: 'accept: the login request becomes a code', when: (c) => redirectedWith(c, 'code'), delta: { pendingLogins: -1, codes: 1 } },
    { name: 'reject: the login request is closed', when: (c) => redirectedWith(c, 'error'), delta: { pendingLogins: -1 } },
    {
      name: 'revokes the families it reports',
      when: ({ reply }) => reply.status === 200 && typeof (reply.body as { revoked?: unknown }).revoked === 'number',
      delta: ({ reply }) => {
        const revoked = (reply.body as { revoked: number }).revoked;
        return { liveFamilies: -revoked, liveTokens: -revoked };
      },
    },
  ],
  runs: 900,
  mustSee: [200, 400, 401, 404],
};

const ENDPOINTS: EndpointUnderTest[] = [
  TOKEN_ENDPOINT,
  // The same endpoint with tight limits, so 429 answers are fuzzed too.
  {
    ...TOKEN_ENDPOINT,
    name: 'POST /oauth/token (rate limited)',
    runs: 300,
    mustSee: [400, 429],
    env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_IP: '40', RATE_LIMIT_PER_CLIENT: '20', RATE_LIMIT_AUTH_FAILURES: '10' },
  },
  REVOCATION_ENDPOINT,
  INTROSPECTION_ENDPOINT,
  AUTHORIZE_ENDPOINT,
  PAR_ENDPOINT,
  ADMIN_API,
];

describe.each(ENDPOINTS)('hostile input: $name', (endpoint) => {
  let t: TestApp;
  let fixtures: Fixtures;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'false', SQLITE_SYNCHRONOUS: 'NORMAL', ...endpoint.env } });
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const client = await t.createClient(endpoint.client);
    const first = (await t.issueTokens(client)).refresh_token!;
    await t.refresh(client, first).expect(200);
    fixtures = { client, retired: first, values: (await endpoint.setup?.(t, client)) ?? {} };
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  async function counts(): Promise<Counts> {
    const [row] = await t.get(DatabaseService).run((manager) =>
      manager.query(`SELECT
        (SELECT COUNT(*) FROM token_families) AS families,
        (SELECT COUNT(*) FROM token_families WHERE revoked_at IS NULL) AS live_families,
        (SELECT COUNT(*) FROM refresh_tokens) AS tokens,
        (SELECT COUNT(*) FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id
          WHERE r.consumed_at IS NULL AND f.revoked_at IS NULL) AS live_tokens,
        (SELECT COUNT(*) FROM oauth_clients) AS clients,
        (SELECT COUNT(*) FROM login_requests) AS login_requests,
        (SELECT COUNT(*) FROM login_requests WHERE handled_at IS NULL) AS pending_logins,
        (SELECT COUNT(*) FROM authorization_codes) AS codes,
        (SELECT COUNT(*) FROM revoked_access_tokens) AS revoked_access_tokens,
        (SELECT COUNT(*) FROM pushed_authorization_requests) AS pushed_requests`),
    );
    return {
      families: +row.families,
      liveFamilies: +row.live_families,
      tokens: +row.tokens,
      liveTokens: +row.live_tokens,
      clients: +row.clients,
      loginRequests: +row.login_requests,
      pendingLogins: +row.pending_logins,
      codes: +row.codes,
      revokedAccessTokens: +row.revoked_access_tokens,
      pushedRequests: +row.pushed_requests,
    };
  }

  function send(req: HostileRequest): Promise<Reply> {
    const headers: Record<string, string> = { ...req.extraHeaders };
    if (req.contentType !== undefined) headers['Content-Type'] = req.contentType;
    if (req.authorization !== undefined) headers.Authorization = req.authorization;
    if (!headers['Transfer-Encoding']) headers['Content-Length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, agent, method: req.method, path: (req.path ?? endpoint.path) + req.query, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // left as text: the invariants will report it
          }
          resolve({ status: res.statusCode!, headers: res.headers, body });
        });
      });
      // The server may answer (413) and close before reading an oversized body.
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  function problems(c: Case, before: Counts, after: Counts): string | null {
    const { reply } = c;
    if (reply.status >= 500) return `status ${reply.status}`;
    if ((endpoint.noStore?.(c) ?? true) && reply.headers['cache-control'] !== 'no-store') return `Cache-Control ${reply.headers['cache-control']}`;
    const shape = reply.status >= 400 ? (endpoint.failure ?? ((failed: Case) => rfcErrorBodyProblems(failed.reply.body)))(c) : endpoint.success(c, fixtures);
    if (shape) return shape;
    const delta = Object.fromEntries(Object.keys(after).map((key) => [key, after[key as keyof Counts] - before[key as keyof Counts]])) as unknown as Counts;
    const unchanged = Object.values(delta).every((value) => value === 0);
    const allowed = endpoint.effects.some((effect) => {
      if (!effect.when(c)) return false;
      const expected = typeof effect.delta === 'function' ? effect.delta(c) : effect.delta;
      return Object.entries(delta).every(([key, value]) => value === (expected[key as keyof Counts] ?? 0));
    });
    return unchanged || allowed ? null : `database changed by ${JSON.stringify(delta)}`;
  }

  let lastCounts: Counts | undefined;

  it(`keeps every invariant over ${fuzzRuns(endpoint.runs)} generated requests`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(endpoint.requests?.(fixtures) ?? requestArb(endpoint.pool(fixtures), endpoint.methods), async (generated) => {
        // Fresh fixtures cost a write or two (much of the run time on PostgreSQL): only for cases that use them.
        const fresh = endpoint.perCase && usesPlaceholder(generated) ? await endpoint.perCase(t, fixtures) : undefined;
        const req = substitute(generated, fresh ?? {});
        // The counts after the previous case still hold unless fixtures were made since.
        const before = fresh === undefined && lastCounts !== undefined ? lastCounts : await counts();
        lastCounts = undefined;
        let reply: Reply;
        try {
          reply = await send(req);
        } catch (error) {
          // A reset while we were still writing an oversized body is the server refusing it early.
          if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as NodeJS.ErrnoException).code === 'EPIPE') return;
          throw error;
        }
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        const after = await counts();
        const problem = problems({ req, reply }, before, after);
        lastCounts = after;
        if (problem) throw new Error(`${problem}\nrequest: ${describeRequest(req)}\nresponse: ${reply.status} ${JSON.stringify(reply.body).slice(0, 500)}`);
      }),
      { numRuns: fuzzRuns(endpoint.runs) },
    );
    // The generators must reach the endpoint's logic, not only its front door: successes and
    // several distinct failures are expected in any run of a reasonable size.
    if (process.env.FUZZ_VERBOSE) console.log(endpoint.name, Object.fromEntries(statuses));
    if (fuzzRuns(endpoint.runs) >= endpoint.runs) {
      expect(statuses.size).toBeGreaterThanOrEqual(3);
      for (const status of endpoint.mustSee ?? []) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    }
    // The process is still up and still serves a well-formed request (once any rate-limit block is over).
    await endpoint.afterRun?.(t, fixtures);
    t.clock.advance(3600);
    const live = await t.issueTokens(fixtures.client);
    await t.refresh(fixtures.client, live.refresh_token!).expect(200);
  }, Math.max(120_000, fuzzRuns(endpoint.runs) * 60));
});

const PLACEHOLDERS = [FRESH_TOKEN, FRESH_ACCESS_TOKEN, LIVE_CHALLENGE, LIVE_FAMILY, LIVE_REQUEST_URI];

function usesPlaceholder(req: HostileRequest): boolean {
  const text = `${req.path ?? ''}${req.query}${req.body.toString('latin1')}`;
  return PLACEHOLDERS.some((placeholder) => text.includes(placeholder));
}

function substitute(req: HostileRequest, values: Record<string, string>): HostileRequest {
  const replace = (text: string) => Object.entries(values).reduce((result, [from, to]) => result.split(from).join(to), text);
  return { ...req, path: req.path && replace(req.path), query: replace(req.query), body: Buffer.from(replace(req.body.toString('latin1')), 'latin1') };
}

