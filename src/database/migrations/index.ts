import { InitialSchema1764288000000 } from './1764288000000-initial-schema';
import { AuthorizationCodeFlow1764288000300 } from './1764288000300-authorization-code-flow';
import { RevokedAccessTokens1764288000400 } from './1764288000400-revoked-access-tokens';
import { ClientIntrospectionPermission1764288000401 } from './1764288000401-client-introspection-permission';
import { ScaleOutSchema1764288000500 } from './1764288000500-scale-out-schema';
import { ServerSecrets1764288000700 } from './1764288000700-server-secrets';
import { GrantHardening1764288003000 } from './1764288003000-grant-hardening';
import { ServiceIssuers1764288005000 } from './1764288005000-service-issuers';
import { ClientPreviousSecret1764288005001 } from './1764288005001-client-previous-secret';
import { DpopBinding1764288008000 } from './1764288008000-dpop-binding';
import { UsedJtis1764288009000 } from './1764288009000-used-jtis';

/** Listed explicitly (not globbed) so they load the same under ts-jest, ts-node and dist/. */
export const migrations = [
  InitialSchema1764288000000,
  AuthorizationCodeFlow1764288000300,
  RevokedAccessTokens1764288000400,
  ClientIntrospectionPermission1764288000401,
  ScaleOutSchema1764288000500,
  ServerSecrets1764288000700,
  GrantHardening1764288003000,
  ServiceIssuers1764288005000,
  ClientPreviousSecret1764288005001,
  DpopBinding1764288008000,
  UsedJtis1764288009000,
];
