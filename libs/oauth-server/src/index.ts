/**
 * The public API of nest-oauth-server, and nothing else: test/public-api.spec.ts pins the list of
 * runtime exports, so an export that appears or disappears is a decision, not an accident.
 */

// The module and its options.
export { OAuthServerModule } from './oauth-server.module';
export { OAUTH_SERVER_OPTIONS } from './options/oauth-server.module-definition';
export type { OAuthServerModuleAsyncOptions, OAuthServerModuleExtras } from './options/oauth-server.module-definition';
export type { OAuthServerOptions } from './options/oauth-server.options';
export { ConfigurationError } from './config/configuration-error';
export { OAUTH_SERVER_DATA_SOURCE } from './database/data-source-name';
export { OAUTH_SERVER_ENTITIES, OAUTH_SERVER_MIGRATIONS } from './database/database-options';

// The extension point and what a grant handler uses.
export { Clock } from './common/clock';
export { resolveRequestedScope, Scope } from './common/scope';
export type { SecurityEvent } from './events/security-event';
export { SecurityEvents } from './events/security-events.service';
export { OAuthError } from './oauth/oauth-error';
export { OAuthParams } from './oauth/oauth-params';
export { AccessTokenClaimsOf, RequireAccessToken, ResourceServerModule } from './resource-server/index';
export type { AccessTokenClaims } from './resource-server/index';
export { GrantType } from './token/grants/grant-handler';
export type { GrantHandler } from './token/grants/grant-handler';
export type { TokenResponse } from './token/token-response';
export type { TokenRequestContext } from './token/grants/grant-handler';
export type { TokenEndpointResponse } from './token/token-response';
export { OAuthClient } from './clients/oauth-client';
export { RefreshTokenFamilies } from './token/refresh-tokens/refresh-token-families.service';
export { AccessTokens } from './token/access-tokens.service';
export { ACCESS_TOKEN_CLAIMS_CUSTOMIZER } from './token/access-token-claims';
// The resource server's AccessTokenClaims (verified claims) keeps its name; the customizer's claim set is this one.
export type { AccessTokenClaims as CustomAccessTokenClaims, AccessTokenClaimsContext, AccessTokenClaimsCustomizer } from './token/access-token-claims';
export { LoginInteractions } from './authorize/login-interactions.service';
export { Transactions } from './database/transactions.service';
export { RefreshTokenStore } from './token/refresh-tokens/refresh-token.store';
export { hasControlCharacters } from './common/control-characters';

/**
 * For the standalone service of this repository (admin API, CLI, microservice transport, health,
 * metrics, logging): the building blocks it wires itself. Supported, but not needed by a host.
 */
export { AuthorizeModule } from './authorize/authorize.module';
export { LOGIN_REJECT_ERRORS, LoginRequestsService } from './authorize/login-requests.service';
export type { LoginRequestView } from './authorize/login-requests.service';
export { CLIENT_AUTH_METHODS } from './clients/client-auth-method';
export type { ClientAuthMethod } from './clients/client-auth-method';
export { changesFromJson, changesFromOptions, ClientFieldError, readJwksFile, UPDATABLE_CLIENT_FIELDS, updateOptions } from './clients/client-fields';
export type { ClientChanges } from './clients/client-fields';
export { ClientsModule } from './clients/clients.module';
export { ClientsRepository } from './clients/clients.repository';
export { ClientAdminError, ClientNotFoundError, ClientsService, MAX_SECRET_OVERLAP_SECONDS } from './clients/clients.service';
export type { ClientView } from './clients/clients.service';
export { CommonModule } from './common/common.module';
export { digestsEqual, sha256Hex } from './common/secure-random';
export { SECURITY_HEADERS, securityHeaders } from './common/security-headers';
export { CorsModule } from './cors/cors.module';
export { DatabaseAvailability } from './database/database-availability';
export { buildDataSourceOptions } from './database/database-options';
export { DatabaseModule } from './database/database.module';
export { DatabaseService } from './database/database.service';
export { DiscoveryMetadataModule } from './discovery/discovery.module';
export { EventsModule } from './events/events.module';
export type { IntrospectionResponse } from './introspection/introspection-response';
export { IntrospectionModule } from './introspection/introspection.module';
export { IntrospectionService } from './introspection/introspection.service';
export { loggablePath } from './logging/loggable-path';
export { answerHttpClientErrors } from './oauth/http-client-error';
export { CONTROL_CHARACTERS } from './oauth/oauth-params';
export { OAuthModule } from './oauth/oauth.module';
export { AdminAuthFailures } from './rate-limit/admin-auth-failures.service';
export { clientAddress } from './rate-limit/client-address';
export { RateLimitModule } from './rate-limit/rate-limit.module';
export { ReplayModule } from './replay/replay.module';
export { RetentionModule } from './retention/retention.module';
export { RevocationModule } from './revocation/revocation.module';
export { RevocationService } from './revocation/revocation.service';
export { GrantHandlerRegistry } from './token/grants/grant-handler.registry';
export { KeysAdmin } from './token/keys/keys-admin.service';
export type { KeysListing } from './token/keys/keys-admin.service';
export type { SigningKeyView } from './token/keys/signing-keys.service';
export { TokenFamiliesAdmin } from './token/refresh-tokens/token-families-admin.service';
export type { FamilyView, RevokeResult, RevokeSelector } from './token/refresh-tokens/token-families-admin.service';
export { TokenModule } from './token/token.module';

export { DatabaseUnavailableError } from './database/database-unavailable';
export { NO_STORE_HEADERS, NoStore, setNoStore } from './oauth/no-store';
export { OAuthExceptionFilter } from './oauth/oauth-exception.filter';
export { OAuthRoutes } from './oauth/oauth-routes.decorator';
export { hasBody, JSON_BODY, rawBody } from './oauth/request-body';

/**
 * @internal Pinned by the standalone service's own test suite (entities, timings, stores); not a
 * supported API, may change in any 0.x release.
 */
export { AUTHORIZE_ERROR_DESCRIPTIONS, AuthorizeService, MAX_STATE_LENGTH, PAR_REQUEST_URI_PREFIX } from './authorize/authorize.service';
export { LoginRequestEntity } from './authorize/login-request.entity';
export { ClientEntity } from './clients/client.entity';
export type { CreateClientInput } from './clients/clients.service';
export { JWKS_FETCH_DEFAULTS, JwksFetcher } from './clients/jwks/jwks-fetcher.service';
export { RECLAIMED_PER_INSERT } from './database/reclaim-expired';
export { SqliteStatements } from './database/sqlite-statements';
export { SCOPES_CACHE_MS } from './discovery/metadata.controller';
export { s256Challenge } from './oauth/pkce';
export { ClientAuthFailures } from './rate-limit/client-auth-failures.service';
export { RATE_LIMIT_STORE } from './rate-limit/rate-limit-store';
export type { RateLimitStore } from './rate-limit/rate-limit-store';
export { COOL_OFF_MS, RedisRateLimitStore } from './rate-limit/redis-rate-limit.store';
export { ReplayCache } from './replay/replay-cache.service';
export { EXPIRY_GRACE_MS, RetentionService } from './retention/retention.service';
export { RevokedAccessTokenEntity } from './token-status/revoked-access-token.entity';
export { AuthorizationCodeEntity } from './token/grants/authorization-code/authorization-code.entity';
export { DatabaseClock } from './token/keys/database-clock.service';
export { kekFingerprint } from './token/keys/key-encryption.service';
export { SchedulerLease } from './token/keys/scheduler-lease.service';
export { KEY_TIMING_MARGIN_MS } from './token/keys/signing-key-schedule';
export { LEASE_TTL_MS, SIGNING_KEYS_LEASE, SigningKeyScheduler } from './token/keys/signing-key-scheduler.service';
export { jwkThumbprint, SigningKeysService } from './token/keys/signing-keys.service';
export { RefreshTokenDerivationKey } from './token/refresh-tokens/refresh-token-derivation-key.service';
export { deriveSuccessorValue, hashRefreshToken, mintRefreshToken } from './token/refresh-tokens/refresh-token-factory';
export { RefreshTokenEntity } from './token/refresh-tokens/refresh-token.entity';
export { RefreshTokensRepository } from './token/refresh-tokens/refresh-tokens.repository';
export type { StoredRefreshToken } from './token/refresh-tokens/refresh-tokens.repository';
export { TokenFamilyEntity } from './token/refresh-tokens/token-family.entity';
export { FAMILY_ID_CLAIM } from './token/token-issuer.service';
