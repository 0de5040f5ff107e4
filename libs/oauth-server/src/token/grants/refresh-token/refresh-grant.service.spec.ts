import { Logger } from '@nestjs/common';
import { ClientEntity } from '../../../clients/client.entity';
import type { OAuthClient } from '../../../clients/oauth-client';
import { Clock } from '../../../common/clock';
import type { TokenConfig } from '../../../config/token.config';
import { SecurityEvents } from '../../../events/security-events.service';
import { OAuthError } from '../../../oauth/oauth-error';
import { OAuthParams } from '../../../oauth/oauth-params';
import type { RefreshTokenDerivationKey } from '../../refresh-tokens/refresh-token-derivation-key.service';
import { hashRefreshToken, isDerivedSuccessor, mintRefreshToken } from '../../refresh-tokens/refresh-token-factory';
import type { RefreshTokenEntity } from '../../refresh-tokens/refresh-token.entity';
import type { RefreshTokenStore } from '../../refresh-tokens/refresh-token.store';
import { TokenFamilyEntity } from '../../refresh-tokens/token-family.entity';
import type { TokenIssuer } from '../../token-issuer.service';
import { RefreshGrantService } from './refresh-grant.service';

const KEY = Buffer.alloc(32, 7);
const T0 = 1_000_000;

/** An in-memory repository with the same contract: consume is a compare-and-set on consumedAt. */
class MemoryRepository {
  tokens: RefreshTokenEntity[] = [];
  families = new Map<string, TokenFamilyEntity>();

  async findByHash(hash: string) {
    const token = this.tokens.find((candidate) => candidate.tokenHash === hash);
    return token ? { token: { ...token }, family: { ...this.families.get(token.familyId)! } } : null;
  }
  async findSuccessor(parentId: string) {
    return this.tokens.find((candidate) => candidate.parentId === parentId) ?? null;
  }
  async consume(current: RefreshTokenEntity, successor: RefreshTokenEntity, now: number) {
    const row = this.tokens.find((candidate) => candidate.id === current.id)!;
    if (row.consumedAt !== null || this.families.get(row.familyId)!.revokedAt !== null) return false;
    row.consumedAt = now;
    this.tokens.push(successor);
    return true;
  }
  async recordReplay(id: string, limit: number) {
    const row = this.tokens.find((candidate) => candidate.id === id)!;
    if (row.consumedAt !== null || this.families.get(row.familyId)!.revokedAt !== null || (row.replays ?? 0) >= limit) return false;
    row.replays = (row.replays ?? 0) + 1;
    return true;
  }
  async revokeFamily(id: string, now: number, reason: string) {
    const family = this.families.get(id)!;
    if (family.revokedAt !== null) return false;
    Object.assign(family, { revokedAt: now, revokedReason: reason });
    return true;
  }
}

function setup(reuseInterval: number, retryLimit = 3) {
  const repository = new MemoryRepository();
  const clock = { now: jest.fn(() => T0) } as unknown as Clock & { now: jest.Mock };
  const events = new SecurityEvents();
  const issuer = {
    prepareResponse: jest.fn(async (grant, refresh) => ({ response: { access_token: `at-${Math.random()}`, refresh_token: refresh, scope: grant.scope }, announce: () => undefined })),
  };
  const config = { refreshTokenIdleTtl: 3600, refreshTokenReuseInterval: reuseInterval, refreshTokenRetryLimit: retryLimit } as TokenConfig;
  const key = { get: () => KEY } as RefreshTokenDerivationKey;
  const service = new RefreshGrantService(
    repository as unknown as RefreshTokenStore,
    issuer as unknown as TokenIssuer,
    clock,
    events,
    key,
    config,
  );
  const client = Object.assign(new ClientEntity(), { clientId: 'app' });
  const family = Object.assign(new TokenFamilyEntity(), {
    id: 'fam', clientId: 'app', subject: 'alice', scope: 'read', createdAt: T0, expiresAt: T0 + 86_400_000, lastUsedAt: T0, revokedAt: null, revokedReason: null,
  });
  repository.families.set(family.id, family);
  const first = mintRefreshToken({ familyId: 'fam', parentId: null, generation: 0, issuedAt: T0, idleTtlSeconds: 3600 });
  repository.tokens.push(first.entity);
  const refresh = (token: string, by = client) => service.handle({ grantType: 'refresh_token', params: OAuthParams.fromEntries({ refresh_token: token }), client: by as unknown as OAuthClient, headers: {} });
  return { repository, clock, events, service, client, family, first: first.value, refresh };
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe('RefreshGrantService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('with a retry window, derives the successor from the predecessor with the server key and stores only its hash', async () => {
    const s = setup(30);
    const response = await s.refresh(s.first);
    const successor = s.repository.tokens[1];
    expect(successor.tokenHash).toBe(hashRefreshToken(response.refresh_token!));
    expect(successor.tokenHash).not.toContain(response.refresh_token!);
    expect(isDerivedSuccessor(successor, KEY, s.first)).toBe(true);
    expect(isDerivedSuccessor(successor, Buffer.alloc(32, 8), s.first)).toBe(false);
    expect(response.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('strict mode: the successor is random, not derivable from its predecessor (issue 10 item 13)', async () => {
    const s = setup(0);
    const response = await s.refresh(s.first);
    const successor = s.repository.tokens[1];
    expect(successor.tokenHash).toBe(hashRefreshToken(response.refresh_token!));
    expect(isDerivedSuccessor(successor, KEY, s.first)).toBe(false);
    expect(response.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('strict mode: a second presentation revokes with reason "strict"', async () => {
    const s = setup(0);
    await s.refresh(s.first);
    const reasons: unknown[] = [];
    s.events.subscribe((event) => event.type === 'reuse_detected' && reasons.push(event.reason));
    expect((await rejection(s.refresh(s.first))).code).toBe('invalid_grant');
    expect(reasons).toEqual(['strict']);
    expect(s.family.revokedReason).toBe('reuse_detected');
  });

  it('serves a retry with the same successor, writes nothing and counts it', async () => {
    const s = setup(30);
    const original = await s.refresh(s.first);
    s.clock.now.mockReturnValue(T0 + 30_000);
    const retry = await s.refresh(s.first);
    expect(retry.refresh_token).toBe(original.refresh_token);
    expect(s.repository.tokens).toHaveLength(2);
    expect(s.events.count('retry_served')).toBe(1);
    expect(s.family.revokedAt).toBeNull();
  });

  it.each([
    ['outside_interval', (s: ReturnType<typeof setup>) => s.clock.now.mockReturnValue(T0 + 30_001)],
    ['other_client', () => undefined],
  ])('rejects a retry as reuse: %s', async (reason, arrange) => {
    const s = setup(30);
    await s.refresh(s.first);
    arrange(s);
    const reasons: unknown[] = [];
    s.events.subscribe((event) => event.type === 'reuse_detected' && reasons.push(event.reason));
    const by = reason === 'other_client' ? Object.assign(new ClientEntity(), { clientId: 'other' }) : s.client;
    expect((await rejection(s.refresh(s.first, by))).code).toBe('invalid_grant');
    expect(reasons).toEqual([reason]);
    expect(s.family.revokedAt).not.toBeNull();
  });

  it('rejects a grand-parent and the parent of a used successor as reuse', async () => {
    const s = setup(30);
    const second = (await s.refresh(s.first)).refresh_token!;
    await s.refresh(second);
    expect((await rejection(s.refresh(s.first))).debug).toContain('successor_used');
    expect(s.family.revokedAt).not.toBeNull();
  });

  it('rejects a successor that was not derived with this key (key replaced) as reuse', async () => {
    const s = setup(30);
    await s.refresh(s.first);
    s.repository.tokens[1].tokenHash = hashRefreshToken('x'.repeat(43));
    expect((await rejection(s.refresh(s.first))).debug).toContain('not_derived');
  });

  it('answers a request that lost the rotation race as a retry', async () => {
    const s = setup(30);
    const consume = s.repository.consume.bind(s.repository);
    let winner: Promise<unknown> | undefined;
    // Interleave: a second request rotates between our read and our conditional update.
    jest.spyOn(s.repository, 'consume').mockImplementationOnce(async (current, successor, now) => {
      winner = s.refresh(s.first);
      await winner;
      return consume(current, successor, now);
    });
    const loser = await s.refresh(s.first);
    expect(loser.refresh_token).toBe(((await winner) as { refresh_token: string }).refresh_token);
    expect(s.repository.tokens).toHaveLength(2);
  });

  it('checks the scope of a retry against the family, without revoking', async () => {
    const s = setup(30);
    await s.refresh(s.first);
    const error = await rejection(s.service.handle({ grantType: 'refresh_token', params: OAuthParams.fromEntries({ refresh_token: s.first, scope: 'admin' }), client: s.client as unknown as OAuthClient, headers: {} }));
    expect(error.code).toBe('invalid_scope');
    expect(s.family.revokedAt).toBeNull();
  });

  it('answers at most REFRESH_TOKEN_RETRY_LIMIT replays of one successor, then refuses without revoking (issue 10 item 14)', async () => {
    const s = setup(30, 2);
    const original = await s.refresh(s.first);
    for (let replay = 0; replay < 2; replay++) expect((await s.refresh(s.first)).refresh_token).toBe(original.refresh_token);
    const refused: unknown[] = [];
    s.events.subscribe((event) => event.type === 'retry_refused' && refused.push(event.reason));
    const error = await rejection(s.refresh(s.first));
    expect(error.code).toBe('invalid_grant');
    expect(error.debug).toContain('retry_limit');
    expect(refused).toEqual(['retry_limit']);
    expect(s.family.revokedAt).toBeNull();
    // The client that did receive the successor carries on.
    expect((await s.refresh(original.refresh_token!)).refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('never replays a successor past its own expiry (issue 10 item 14)', async () => {
    const s = setup(300);
    await s.refresh(s.first);
    // Idle TTL of the successor is 3600 s here: shorten it to fall inside the window.
    s.repository.tokens[1].expiresAt = T0 + 10_000;
    s.clock.now.mockReturnValue(T0 + 10_000);
    expect((await rejection(s.refresh(s.first))).debug).toContain('successor_expired');
    expect(s.family.revokedAt).toBeNull();
  });
});
