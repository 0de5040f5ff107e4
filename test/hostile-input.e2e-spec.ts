import fc from 'fast-check';
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseService } from '../src/database/database.service';
import { describeRequest, HostileRequest, requestArb, rfcErrorBodyProblems, fuzzRuns, ValuePool } from './support/hostile-requests';
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
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

type Delta = Partial<Counts>;

interface Effect {
  name: string;
  when: (reply: Reply) => boolean;
  delta: Delta;
}

interface EndpointUnderTest {
  name: string;
  path: string;
  methods: HostileRequest['method'][];
  /** Valid values the generated requests mix in; may contain placeholders, see `perCase`. */
  pool: (fixtures: Fixtures) => ValuePool;
  /** Values made fresh for every case (e.g. a live refresh token), substituted for placeholders. */
  perCase?: (t: TestApp, fixtures: Fixtures) => Promise<Record<string, string>>;
  /** The shape of a 2xx answer. */
  success: (reply: Reply) => string | null;
  /** Changes to the database a response may cause, besides none at all. */
  effects: Effect[];
  runs: number;
  /** Environment for this row's app (e.g. to fuzz with the rate limiter on). */
  env?: Record<string, string>;
  /** Statuses a run of the default size must have produced (proof the row reaches its logic). */
  mustSee?: number[];
}

interface Fixtures {
  client: TestClient;
  retired: string;
}

/** Same length and alphabet as a refresh token, so it survives any encoding unchanged. */
const FRESH_TOKEN = 'FRESHxREFRESHxTOKENxPLACEHOLDERx0123456789x';

const TOKEN_ENDPOINT: EndpointUnderTest = {
  name: 'POST /oauth/token',
  path: '/oauth/token',
  methods: ['POST'],
  pool: ({ client, retired }) => ({
    valid: { client_id: client.clientId, client_secret: client.clientSecret!, refresh_token: FRESH_TOKEN, retired },
    base: [['grant_type', 'refresh_token'], ['refresh_token', FRESH_TOKEN]],
  }),
  perCase: async (t, { client }) => ({ [FRESH_TOKEN]: (await t.issueTokens(client)).refresh_token! }),
  success: ({ body }) => {
    const response = body as Record<string, unknown>;
    return typeof response.access_token === 'string' && response.token_type === 'Bearer' && typeof response.refresh_token === 'string'
      ? null
      : `not an RFC 6749 §5.1 response: ${JSON.stringify(body)}`;
  },
  effects: [
    { name: 'one rotation', when: ({ status }) => status === 200, delta: { tokens: 1 } },
    {
      name: 'reuse of a retired token revokes its family',
      when: ({ status, body }) => status === 400 && (body as { error?: string }).error === 'invalid_grant',
      delta: { liveFamilies: -1, liveTokens: -1 },
    },
  ],
  runs: 1500,
  mustSee: [200, 400, 401],
};

/**
 * Adding an endpoint is one row, e.g. for RFC 7009 revocation:
 *   { name: 'POST /oauth/revoke', path: '/oauth/revoke', methods: ['POST'], pool: ..., perCase: ...,
 *     success: (reply) => (reply.status === 200 ? null : 'expected 200'), runs: 1000, mustSee: [200, 401],
 *     effects: [{ name: 'revokes one family', when: (r) => r.status === 200, delta: { liveFamilies: -1, liveTokens: -1 } }] }
 */
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
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    await t.refresh(client, first).expect(200);
    fixtures = { client, retired: first };
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
        (SELECT COUNT(*) FROM oauth_clients) AS clients`),
    );
    return { families: +row.families, liveFamilies: +row.live_families, tokens: +row.tokens, liveTokens: +row.live_tokens, clients: +row.clients };
  }

  function send(req: HostileRequest): Promise<Reply> {
    const headers: Record<string, string> = { ...req.extraHeaders };
    if (req.contentType !== undefined) headers['Content-Type'] = req.contentType;
    if (req.authorization !== undefined) headers.Authorization = req.authorization;
    if (!headers['Transfer-Encoding']) headers['Content-Length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, agent, method: req.method, path: endpoint.path + req.query, headers }, (res) => {
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

  function problems(reply: Reply, before: Counts, after: Counts): string | null {
    if (reply.status >= 500) return `status ${reply.status}`;
    if (reply.headers['cache-control'] !== 'no-store') return `Cache-Control ${reply.headers['cache-control']}`;
    const shape = reply.status >= 400 ? rfcErrorBodyProblems(reply.body) : endpoint.success(reply);
    if (shape) return shape;
    const delta = Object.fromEntries(Object.keys(after).map((key) => [key, after[key as keyof Counts] - before[key as keyof Counts]])) as unknown as Counts;
    const unchanged = Object.values(delta).every((value) => value === 0);
    const allowed = endpoint.effects.some((effect) => effect.when(reply) && Object.entries(delta).every(([key, value]) => value === (effect.delta[key as keyof Counts] ?? 0)));
    return unchanged || allowed ? null : `database changed by ${JSON.stringify(delta)}`;
  }

  it(`keeps every invariant over ${fuzzRuns(endpoint.runs)} generated requests`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(endpoint.pool(fixtures), endpoint.methods), async (generated) => {
        const req = substitute(generated, (await endpoint.perCase?.(t, fixtures)) ?? {});
        const before = await counts();
        let reply: Reply;
        try {
          reply = await send(req);
        } catch (error) {
          // A reset while we were still writing an oversized body is the server refusing it early.
          if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as NodeJS.ErrnoException).code === 'EPIPE') return;
          throw error;
        }
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        const problem = problems(reply, before, await counts());
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
    t.clock.advance(3600);
    const live = await t.issueTokens(fixtures.client);
    await t.refresh(fixtures.client, live.refresh_token!).expect(200);
  }, Math.max(120_000, fuzzRuns(endpoint.runs) * 60));
});

function substitute(req: HostileRequest, values: Record<string, string>): HostileRequest {
  const replace = (text: string) => Object.entries(values).reduce((result, [from, to]) => result.split(from).join(to), text);
  return { ...req, query: replace(req.query), body: Buffer.from(replace(req.body.toString('latin1')), 'latin1') };
}

