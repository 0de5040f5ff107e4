import { hashRefreshToken, mintRefreshToken, RefreshTokensRepository, StoredRefreshToken } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

/** The hand-written rotation SQL (issue 6) on the real schema: SQLite, or PostgreSQL with TEST_DATABASE_URL. */
describe('refresh token storage: lookup and rotation statements', () => {
  let t: TestApp;
  let client: TestClient;
  let repository: RefreshTokensRepository;

  beforeAll(async () => {
    t = await TestApp.create();
    repository = t.get(RefreshTokensRepository);
    client = await t.createClient();
  });
  afterAll(() => t.close());

  async function freshToken(): Promise<{ value: string; stored: StoredRefreshToken }> {
    const value = (await t.issueTokens(client, 'alice', 'read')).refresh_token!;
    return { value, stored: (await repository.findByHash(hashRefreshToken(value)))! };
  }

  function successorOf(stored: StoredRefreshToken, now: number) {
    return mintRefreshToken({ familyId: stored.family.id, parentId: stored.token.id, generation: stored.token.generation + 1, issuedAt: now, idleTtlSeconds: 60 });
  }

  async function tokensOfFamily(familyId: string): Promise<number> {
    const placeholder = t.dataSource().options.type === 'postgres' ? '$1' : '?';
    const rows = await t.dataSource().query(`SELECT COUNT(*) AS n FROM refresh_tokens WHERE family_id = ${placeholder}`, [familyId]);
    return Number(rows[0].n);
  }

  it('finds a token and its family in one read, with numeric instants on either driver', async () => {
    const { stored } = await freshToken();
    const now = t.clock.now();
    expect(stored.token).toMatchObject({ parentId: null, generation: 0, issuedAt: now, consumedAt: null });
    expect(typeof stored.token.expiresAt).toBe('number');
    expect(stored.family).toMatchObject({ clientId: client.clientId, subject: 'alice', scope: 'read', createdAt: now, lastUsedAt: now, revokedAt: null, revokedReason: null });
    expect(stored.token.familyId).toBe(stored.family.id);
    expect(await repository.findByHash(hashRefreshToken('no-such-token'))).toBeNull();
  });

  it('consumes once, stores the successor and touches the family; a second consume writes nothing', async () => {
    const { stored } = await freshToken();
    t.clock.advance(5);
    const now = t.clock.now();
    const successor = successorOf(stored, now);
    expect(await repository.consume(stored.token, successor.entity, now)).toBe(true);
    const after = (await repository.findByHash(stored.token.tokenHash))!;
    expect(after.token.consumedAt).toBe(now);
    expect(after.family.lastUsedAt).toBe(now);
    const next = (await repository.findByHash(hashRefreshToken(successor.value)))!;
    expect(next.token).toMatchObject({ parentId: stored.token.id, generation: 1, issuedAt: now, expiresAt: now + 60_000, consumedAt: null });

    expect(await repository.consume(stored.token, successorOf(stored, now).entity, now)).toBe(false);
    expect(await tokensOfFamily(stored.family.id)).toBe(2);
  });

  it('does not consume a token of a revoked family', async () => {
    const { stored } = await freshToken();
    const now = t.clock.now();
    expect(await repository.revokeFamily(stored.family.id, now, 'test')).toBe(true);
    expect(await repository.consume(stored.token, successorOf(stored, now).entity, now)).toBe(false);
    expect((await repository.findByHash(stored.token.tokenHash))!.token.consumedAt).toBeNull();
    expect(await tokensOfFamily(stored.family.id)).toBe(1);
  });

  it('lets exactly one of many concurrent consumes of one token win', async () => {
    const { stored } = await freshToken();
    const now = t.clock.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => repository.consume(stored.token, successorOf(stored, now).entity, now)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await tokensOfFamily(stored.family.id)).toBe(2);
  });

  it('consumes a token without touching other families', async () => {
    const first = await freshToken();
    const other = await freshToken();
    t.clock.advance(1);
    const now = t.clock.now();
    expect(await repository.consume(first.stored.token, successorOf(first.stored, now).entity, now)).toBe(true);
    const untouched = (await repository.findByHash(other.stored.token.tokenHash))!;
    expect(untouched.token.consumedAt).toBeNull();
    expect(untouched.family.lastUsedAt).toBe(other.stored.family.lastUsedAt);
  });
});
