import { InitialSchema1764288000000 } from './1764288000000-initial-schema';
import { AuthorizationCodeFlow1764288000300 } from './1764288000300-authorization-code-flow';
import { RevokedAccessTokens1764288000400 } from './1764288000400-revoked-access-tokens';
import { ClientIntrospectionPermission1764288000401 } from './1764288000401-client-introspection-permission';
import { ScaleOutSchema1764288000500 } from './1764288000500-scale-out-schema';
import { ServerSecrets1764288000700 } from './1764288000700-server-secrets';
import { GrantHardening1764288003000 } from './1764288003000-grant-hardening';
import { ClientCorsOrigins1764288004000 } from './1764288004000-client-cors-origins';
import { ServiceIssuers1764288005000 } from './1764288005000-service-issuers';
import { ClientPreviousSecret1764288005001 } from './1764288005001-client-previous-secret';
import { HealthHeartbeat1764288006000 } from './1764288006000-health-heartbeat';
import { KeyLifecycle1764288007000 } from './1764288007000-key-lifecycle';
import { DpopBinding1764288008000 } from './1764288008000-dpop-binding';
import { UsedJtis1764288009000 } from './1764288009000-used-jtis';
import { ClientJwks1764288009001 } from './1764288009001-client-jwks';
import { PushedAuthorizationRequests1764288010000 } from './1764288010000-pushed-authorization-requests';
import { ClientTokensValidAfter1764288013000 } from './1764288013000-client-tokens-valid-after';
import { ClientRegistryVersion1764700400000 } from './1764700400000-client-registry-version';

/** Listed explicitly (not globbed) so they load the same under ts-jest, ts-node and dist/. */
export const migrations = [
  InitialSchema1764288000000,
  AuthorizationCodeFlow1764288000300,
  RevokedAccessTokens1764288000400,
  ClientIntrospectionPermission1764288000401,
  ScaleOutSchema1764288000500,
  ServerSecrets1764288000700,
  GrantHardening1764288003000,
  ClientCorsOrigins1764288004000,
  ServiceIssuers1764288005000,
  ClientPreviousSecret1764288005001,
  HealthHeartbeat1764288006000,
  KeyLifecycle1764288007000,
  DpopBinding1764288008000,
  UsedJtis1764288009000,
  ClientJwks1764288009001,
  PushedAuthorizationRequests1764288010000,
  ClientTokensValidAfter1764288013000,
  ClientRegistryVersion1764700400000,
];
