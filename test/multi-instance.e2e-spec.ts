import { createPublicKey, verify } from 'node:crypto';
import { buildDist, CliClient, runCli, ServiceProcess } from './support/service-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

interface Jwks {
  keys: Record<string, string>[];
}

/**
 * Two real service processes on one database (PostgreSQL under `npm run test:pg`, one SQLite file
 * otherwise): they share every refresh token, family and signing key through it.
 */
describe('several instances on one database', () => {
  let database: TestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let client: CliClient;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
    // Started at once on an empty database: both migrate and both try to create the signing key.
    [a, b] = await Promise.all([ServiceProcess.start({ databaseUrl: database.url }), ServiceProcess.start({ databaseUrl: database.url })]);
    client = await runCli<CliClient>(database.url, ['clients:create', '--name', 'shared', '--scope', 'read write']);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
    await database?.drop();
  });

  const issue = async () => (await runCli<{ refresh_token: string }>(database.url, ['tokens:issue', `--client-id=${client.client_id}`, '--subject', 'alice'])).refresh_token;

  it('both publish the same JWKS, one key, and each verifies the access tokens of the other', async () => {
    const [jwksA, jwksB] = await Promise.all([a, b].map(async (s) => (await s.fetch('/.well-known/jwks.json')).json() as Promise<Jwks>));
    expect(jwksA).toEqual(jwksB);
    expect(jwksA.keys).toHaveLength(1);
    const fromA = (await (await a.refresh(client, await issue())).json()) as { access_token: string };
    const fromB = (await (await b.refresh(client, await issue())).json()) as { access_token: string };
    expect(verifyJwt(fromA.access_token, jwksB)).toBe(true);
    expect(verifyJwt(fromB.access_token, jwksA)).toBe(true);
  });

  it('a client created through the CLI on the shared database is usable on both instances', async () => {
    const fresh = await runCli<CliClient>(database.url, ['clients:create', '--name', 'late']);
    const token = (await runCli<{ refresh_token: string }>(database.url, ['tokens:issue', `--client-id=${fresh.client_id}`, '--subject', 'bob'])).refresh_token;
    const first = await a.refresh(fresh, token);
    expect(first.status).toBe(200);
    const second = await b.refresh(fresh, ((await first.json()) as { refresh_token: string }).refresh_token);
    expect(second.status).toBe(200);
  });

  it('50 concurrent refreshes of one token across both instances (retry window on by default): one rotation, 3 replays of the same successor, the rest refused, family kept', async () => {
    const token = await issue();
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).refresh(client, token)));
    const statuses = responses.map((res) => res.status);
    // REFRESH_TOKEN_RETRY_LIMIT (3) is counted in the shared database, across both processes.
    expect(statuses.filter((status) => status === 200)).toHaveLength(1 + 3);
    expect(statuses.filter((status) => status === 400)).toHaveLength(46);
    const bodies = await Promise.all(responses.map((res) => res.json() as Promise<Record<string, string>>));
    expect(bodies.filter((body) => body.error !== undefined).every((body) => body.error === 'invalid_grant')).toBe(true);
    const successors = new Set(bodies.filter((body) => body.refresh_token).map((body) => body.refresh_token));
    expect(successors.size).toBe(1);
    // Refused, not revoked: the one successor carries on, on either instance.
    const [successor] = successors;
    expect((await b.refresh(client, successor)).status).toBe(200);
  });

  it('a reuse seen by one instance revokes the family for the other', async () => {
    const t0 = await issue();
    const rotated = await a.refresh(client, t0);
    expect(rotated.status).toBe(200);
    const t1 = ((await rotated.json()) as { refresh_token: string }).refresh_token;
    const again = await a.refresh(client, t1);
    expect(again.status).toBe(200);
    const t2 = ((await again.json()) as { refresh_token: string }).refresh_token;
    // t0's successor t1 was used: t0 is reuse even inside the retry window.
    const reuse = await b.refresh(client, t0);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await a.refresh(client, t2)).status).toBe(400);
    expect((await b.refresh(client, t2)).status).toBe(400);
  });
});

/** ES256 / RS256 JWS verification against a JWKS (RFC 7515 §5.2), without a JOSE library. */
function verifyJwt(jwt: string, jwks: Jwks): boolean {
  const [header, payload, signature] = jwt.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  return alg === 'ES256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig) : verify('sha256', data, key, sig);
}
