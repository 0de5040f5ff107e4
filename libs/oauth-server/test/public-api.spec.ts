import * as library from 'nest-oauth-server';
import * as testing from 'nest-oauth-server/testing';

/**
 * The runtime exports of the package, pinned: adding or removing one is a change of the public API
 * (or of what the standalone service and its tests are allowed to reach), so it must show up here.
 * Types have no runtime name; tsc checks those.
 */
describe('public API of nest-oauth-server', () => {
  it('index.ts exports exactly these names', () => {
    expect(Object.keys(library).sort()).toEqual([
      'ACCESS_TOKEN_CLAIMS_CUSTOMIZER', 'AUTHORIZE_ERROR_DESCRIPTIONS', 'AccessTokenClaimsOf',
      'AccessTokens', 'AdminAuthFailures', 'AuthorizationCodeEntity', 'AuthorizeModule', 'AuthorizeService',
      'CLIENT_AUTH_METHODS', 'CONTROL_CHARACTERS', 'COOL_OFF_MS', 'ClientAdminError', 'ClientAuthFailures',
      'ClientEntity', 'ClientFieldError', 'ClientNotFoundError', 'ClientsModule', 'ClientsRepository',
      'ClientsService', 'Clock', 'CommonModule', 'ConfigurationError', 'CorsModule', 'DatabaseAvailability',
      'DatabaseClock', 'DatabaseModule', 'DatabaseService', 'DatabaseUnavailableError',
      'DiscoveryMetadataModule', 'EXPIRY_GRACE_MS', 'EventsModule', 'FAMILY_ID_CLAIM',
      'GrantHandlerRegistry', 'GrantType', 'IntrospectionModule', 'IntrospectionService', 'JSON_BODY',
      'JWKS_FETCH_DEFAULTS', 'JwksFetcher', 'KEY_TIMING_MARGIN_MS', 'KeysAdmin', 'LEASE_TTL_MS',
      'LOGIN_REJECT_ERRORS', 'LoginInteractions', 'LoginRequestEntity', 'LoginRequestsService',
      'MAX_SECRET_OVERLAP_SECONDS', 'MAX_STATE_LENGTH', 'NO_STORE_HEADERS', 'NoStore',
      'OAUTH_SERVER_DATA_SOURCE', 'OAUTH_SERVER_ENTITIES', 'OAUTH_SERVER_MIGRATIONS', 'OAUTH_SERVER_OPTIONS',
      'OAuthClient', 'OAuthError', 'OAuthExceptionFilter', 'OAuthModule', 'OAuthParams', 'OAuthRoutes',
      'OAuthServerModule', 'PAR_REQUEST_URI_PREFIX', 'RATE_LIMIT_STORE', 'RECLAIMED_PER_INSERT',
      'RateLimitModule', 'RedisRateLimitStore', 'RefreshTokenDerivationKey', 'RefreshTokenEntity',
      'RefreshTokenFamilies', 'RefreshTokenStore', 'RefreshTokensRepository', 'ReplayCache', 'ReplayModule',
      'RequireAccessToken', 'ResourceServerModule', 'RetentionModule', 'RetentionService',
      'RevocationModule', 'RevocationService', 'RevokedAccessTokenEntity', 'SCOPES_CACHE_MS',
      'SECURITY_HEADERS', 'SIGNING_KEYS_LEASE', 'SchedulerLease', 'Scope', 'SecurityEvents',
      'SigningKeyScheduler', 'SigningKeysService', 'SqliteStatements', 'TokenFamiliesAdmin',
      'TokenFamilyEntity', 'TokenModule', 'Transactions', 'UPDATABLE_CLIENT_FIELDS',
      'answerHttpClientErrors', 'buildDataSourceOptions', 'changesFromJson', 'changesFromOptions',
      'clientAddress', 'deriveSuccessorValue', 'digestsEqual', 'hasBody', 'hasControlCharacters',
      'hashRefreshToken', 'jwkThumbprint', 'kekFingerprint', 'loggablePath', 'mintRefreshToken', 'rawBody',
      'readJwksFile', 'resolveRequestedScope', 's256Challenge', 'securityHeaders', 'setNoStore', 'sha256Hex', 'updateOptions',
    ]);
  });

  it('testing/index.ts exports exactly these names', () => {
    expect(Object.keys(testing).sort()).toEqual(['Clock', 'createTestClient', 'FakeClock', 'tokenRequest'].sort());
  });

  it('the testing Clock is the one the module provides (overrideProvider(Clock) must hit it)', () => {
    expect(testing.Clock).toBe(library.Clock);
  });
});
