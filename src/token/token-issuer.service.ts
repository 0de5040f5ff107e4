import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { appConfig, AppConfig } from '../config/app.config';
import { tokenConfig, TokenConfig } from '../config/token.config';
import { SecurityEvents } from '../events/security-events.service';
import { AccessTokenSigner } from './keys/access-token-signer';
import { TokenResponse } from './token-response';

export const FAMILY_ID_CLAIM = 'family_id';

export interface AccessTokenGrant {
  subject: string;
  clientId: string;
  scope: string;
  /** The token family (grant) the token belongs to, so revoking the family ends it too. */
  familyId?: string;
  /**
   * How the grant was obtained (`refresh_token`, `client_credentials`, an extension grant's URI,
   * `bootstrap` for tokens:issue...), for the tokens-issued metric. Always chosen by code, never
   * copied from a request, so the label set stays bounded.
   */
  grantType: string;
}

/**
 * Mints access tokens as RFC 9068 JWTs. Grants decide *what* is granted; this class alone decides
 * how a token looks and is signed (Spring's OAuth2TokenGenerator, fosite's strategies).
 */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
  ) {}

  private issueAccessToken(grant: AccessTokenGrant): { accessToken: string; expiresIn: number } {
    const iat = Math.floor(this.clock.now() / 1000);
    const expiresIn = this.config.accessTokenTtl;
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti are REQUIRED; scope when granted.
    const payload = {
      iss: this.app.issuer,
      sub: grant.subject,
      aud: this.config.audience ?? this.app.issuer,
      exp: iat + expiresIn,
      iat,
      jti: randomUUID(),
      client_id: grant.clientId,
      scope: grant.scope,
      // Private claim (RFC 7519 §4.3): lets introspection end the token with its family (RFC 7009 §2.1).
      ...(grant.familyId === undefined ? {} : { [FAMILY_ID_CLAIM]: grant.familyId }),
    };
    // RFC 9068 §2.1: the header MUST carry typ "at+jwt". The signer adds alg and kid.
    const accessToken = this.signer.sign(payload, { typ: 'at+jwt' });
    return { accessToken, expiresIn };
  }

  /**
   * The one way a token response is made: every grant and bootstrap path ends here, which is why
   * the tokens-issued event is emitted here and nowhere else (no double counting).
   */
  bearerResponse(grant: AccessTokenGrant, refreshToken?: string): TokenResponse {
    const { accessToken, expiresIn } = this.issueAccessToken(grant);
    this.events.emit({
      type: 'tokens_issued',
      grantType: grant.grantType,
      clientId: grant.clientId,
      ...(grant.familyId === undefined ? {} : { familyId: grant.familyId }),
      refreshToken: refreshToken !== undefined,
    });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope: grant.scope,
    };
  }
}
