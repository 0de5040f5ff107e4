import { ClientEntity } from '../../../clients/client.entity';
import type { OAuthClient } from '../../../clients/oauth-client';
import { Clock } from '../../../common/clock';
import type { TokenConfig } from '../../../config/token.config';
import { SecurityEvents } from '../../../events/security-events.service';
import { OAuthParams } from '../../../oauth/oauth-params';
import { hashRefreshToken } from '../../refresh-tokens/refresh-token-factory';
import { RefreshTokenEntity } from '../../refresh-tokens/refresh-token.entity';
import type { RefreshTokenStore, StoredRefreshToken } from '../../refresh-tokens/refresh-token.store';
import { TokenFamilyEntity } from '../../refresh-tokens/token-family.entity';
import type { RefreshTokenDerivationKey } from '../../refresh-tokens/refresh-token-derivation-key.service';
import type { TokenIssuer } from '../../token-issuer.service';
import { RefreshGrantService } from './refresh-grant.service';

const NOW = 1_000_000_000_000;
const PRESENTED = 'a'.repeat(43);
const config = { refreshTokenIdleTtl: 60, refreshTokenAbsoluteTtl: 600, accessTokenTtl: 900, refreshTokenReuseInterval: 0 } as TokenConfig;
const client = Object.assign(new ClientEntity(), { clientId: 'c1', grantTypes: ['refresh_token'] });

function stored(token: Partial<RefreshTokenEntity> = {}, family: Partial<TokenFamilyEntity> = {}): StoredRefreshToken {
  return {
    token: Object.assign(new RefreshTokenEntity(), {
      id: 't1', tokenHash: hashRefreshToken(PRESENTED), familyId: 'f1', parentId: null, generation: 3,
      issuedAt: NOW - 1000, expiresAt: NOW + 59_000, consumedAt: null, ...token,
    }),
    family: Object.assign(new TokenFamilyEntity(), {
      id: 'f1', clientId: 'c1', subject: 'alice', scope: 'read write', createdAt: NOW - 1000,
      expiresAt: NOW + 599_000, lastUsedAt: NOW - 1000, revokedAt: null, revokedReason: null, ...family,
    }),
  };
}

describe('RefreshGrantService: strict rotation (REFRESH_TOKEN_REUSE_INTERVAL=0)', () => {
  let repository: jest.Mocked<Pick<RefreshTokenStore, 'findByHash' | 'findSuccessor' | 'consume' | 'revokeFamily'>>;
  let issuer: jest.Mocked<Pick<TokenIssuer, 'prepareResponse'>>;
  let service: RefreshGrantService;

  beforeEach(() => {
    repository = { findByHash: jest.fn(), findSuccessor: jest.fn().mockResolvedValue(null), consume: jest.fn().mockResolvedValue(true), revokeFamily: jest.fn().mockResolvedValue(true) };
    issuer = {
      prepareResponse: jest.fn(async (grant, refreshToken) => ({
        response: { access_token: 'at', token_type: 'Bearer' as const, expires_in: 900, refresh_token: refreshToken, scope: grant.scope },
        accessToken: { jti: 'j', expiresAt: NOW + 900_000 },
        announce: jest.fn(),
      })),
    };
    const clock = { now: () => NOW } as Clock;
    const events = { emit: jest.fn() } as unknown as SecurityEvents;
    const key = { get: () => Buffer.alloc(32, 1) } as RefreshTokenDerivationKey;
    service = new RefreshGrantService(repository as unknown as RefreshTokenStore, issuer as unknown as TokenIssuer, clock, events, key, config);
  });

  const handle = (extra: Record<string, string> = {}) => service.handle({ grantType: 'refresh_token', params: OAuthParams.fromEntries({ refresh_token: PRESENTED, ...extra }), client: client as unknown as OAuthClient, headers: {} });

  it('looks the token up by its SHA-256 hash and stores a successor of the next generation', async () => {
    repository.findByHash.mockResolvedValue(stored());
    const response = await handle();
    expect(repository.findByHash).toHaveBeenCalledWith(hashRefreshToken(PRESENTED));
    const [current, successor, now] = repository.consume.mock.calls[0];
    expect(current.id).toBe('t1');
    expect(successor).toMatchObject({ familyId: 'f1', parentId: 't1', generation: 4, issuedAt: NOW, expiresAt: NOW + 60_000, consumedAt: null });
    expect(now).toBe(NOW);
    expect(response.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(successor.tokenHash).toBe(hashRefreshToken(response.refresh_token!));
    expect(issuer.prepareResponse).toHaveBeenCalledWith(
      { subject: 'alice', clientId: 'c1', scope: 'read write', familyId: 'f1', grantType: 'refresh_token', notAfter: NOW + 599_000 },
      response.refresh_token,
    );
    expect((await issuer.prepareResponse.mock.results[0].value).announce).toHaveBeenCalledTimes(1);
  });

  it('a consumed token revokes its family and fails with invalid_grant', async () => {
    repository.findByHash.mockResolvedValue(stored({ consumedAt: NOW - 10 }));
    await expect(handle()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(repository.revokeFamily).toHaveBeenCalledWith('f1', NOW, 'reuse_detected');
    expect(repository.consume).not.toHaveBeenCalled();
  });

  it('losing the race for the conditional update is a reuse too', async () => {
    repository.findByHash.mockResolvedValue(stored());
    repository.consume.mockResolvedValue(false);
    await expect(handle()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(repository.revokeFamily).toHaveBeenCalledWith('f1', NOW, 'reuse_detected');
    // Signed before the conditional update (nothing may fail after a commit), but never handed out.
    expect((await issuer.prepareResponse.mock.results[0].value).announce).not.toHaveBeenCalled();
  });

  it.each([
    ['unknown', null],
    ['of another client', stored({}, { clientId: 'c2' })],
    ['of a revoked family', stored({}, { revokedAt: NOW - 1, revokedReason: 'x' })],
    ['past its idle lifetime', stored({ expiresAt: NOW })],
    ['past the absolute lifetime', stored({}, { expiresAt: NOW })],
  ])('a token %s → invalid_grant, nothing written', async (_name, found) => {
    repository.findByHash.mockResolvedValue(found);
    await expect(handle()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(repository.consume).not.toHaveBeenCalled();
    expect(repository.revokeFamily).not.toHaveBeenCalled();
  });

  it('a token of the wrong shape is rejected without a lookup', async () => {
    await expect(service.handle({ grantType: 'refresh_token', params: OAuthParams.fromEntries({ refresh_token: 'short' }), client: client as unknown as OAuthClient, headers: {} })).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(repository.findByHash).not.toHaveBeenCalled();
  });

  it.each([['read admin'], ['"bad"'], ['   ']])('scope %p → invalid_scope, nothing written', async (scope) => {
    repository.findByHash.mockResolvedValue(stored());
    await expect(handle({ scope })).rejects.toMatchObject({ code: 'invalid_scope' });
    expect(repository.consume).not.toHaveBeenCalled();
  });

  it('a narrower scope goes to the access token only', async () => {
    repository.findByHash.mockResolvedValue(stored());
    const response = await handle({ scope: 'read' });
    expect(response.scope).toBe('read');
    expect(issuer.prepareResponse).toHaveBeenCalledWith(expect.objectContaining({ scope: 'read' }), expect.any(String));
  });
});
