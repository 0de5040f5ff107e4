import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { appConfig, AppConfig } from '../config/app.config';
import { tokenConfig, TokenConfig } from '../config/token.config';
import { SecurityEvents } from '../events/security-events.service';
import { AccessTokenSigner } from './keys/access-token-signer';
import { ACCESS_TOKEN_CLAIMS_CUSTOMIZER, AccessTokenClaims, AccessTokenClaimsCustomizer, PROTECTED_ACCESS_TOKEN_CLAIMS } from './access-token-claims';
import { recordIssuedResponse } from './token-request-scope';
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
  /**
   * Epoch ms after which the grant behind the token no longer exists (a family's absolute expiry).
   * The access token's `exp` never passes it: a token that outlived its family would introspect
   * active until the retention cleanup deleted the family and inactive after (RFC 7662 §2.2
   * answers must not depend on housekeeping).
   */
  notAfter?: number;
  /**
   * RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to, as `cnf.jkt`; the
   * response then says `token_type: "DPoP"` (§5).
   */
  dpopJkt?: string;
}

/**
 * A signed token response not yet announced. Grants prepare it *before* they commit, so the only
 * work left after a rotation or a code exchange committed is `announce()` (which cannot throw, see
 * SecurityEvents) and returning the response: a failure after the commit would make an innocent
 * client retry with a token that is already used, and lose its family to reuse detection.
 */
export interface PreparedTokenResponse {
  response: TokenResponse;
  /** The access token's `jti` and expiry (epoch ms), for grants that must be able to revoke it. */
  accessToken: { jti: string; expiresAt: number };
  /** Emits the tokens-issued event; call once the tokens are really handed out. */
  announce(): void;
}

/**
 * Mints access tokens as RFC 9068 JWTs. Grants decide *what* is granted; this class alone decides
 * how a token looks and is signed (Spring's OAuth2TokenGenerator, fosite's strategies).
 */
@Injectable()
export class TokenIssuer implements OnModuleInit {
  private customizer?: AccessTokenClaimsCustomizer;

  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The host's claims customizer, from whichever of its modules provides it (none is fine). */
  onModuleInit(): void {
    try {
      this.customizer = this.moduleRef.get<AccessTokenClaimsCustomizer>(ACCESS_TOKEN_CLAIMS_CUSTOMIZER, { strict: false });
    } catch {
      this.customizer = undefined;
    }
  }

  private async issueAccessToken(grant: AccessTokenGrant): Promise<{ accessToken: string; expiresIn: number; jti: string; exp: number }> {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = grant.notAfter === undefined ? iat + this.config.accessTokenTtl : Math.min(iat + this.config.accessTokenTtl, Math.floor(grant.notAfter / 1000));
    // Never negative: a grant ending within this very second gets a token that is already expired.
    const expiresIn = Math.max(0, exp - iat);
    const jti = randomUUID();
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti are REQUIRED; scope when granted.
    const payload = {
      iss: this.app.issuer,
      sub: grant.subject,
      aud: this.config.audience ?? this.app.issuer,
      exp: iat + expiresIn,
      iat,
      jti,
      client_id: grant.clientId,
      scope: grant.scope,
      // Private claim (RFC 7519 §4.3): lets introspection end the token with its family (RFC 7009 §2.1).
      ...(grant.familyId === undefined ? {} : { [FAMILY_ID_CLAIM]: grant.familyId }),
      // RFC 9449 §6.1 (RFC 7800 §3.1): the confirmation claim of a DPoP-bound token.
      ...(grant.dpopJkt === undefined ? {} : { cnf: { jkt: grant.dpopJkt } }),
    };
    const claims = this.customizer ? await this.customized(payload, grant) : payload;
    // RFC 9068 §2.1: the header MUST carry typ "at+jwt". The signer adds alg and kid.
    const accessToken = this.signer.sign(claims, { typ: 'at+jwt' });
    return { accessToken, expiresIn, jti, exp: iat + expiresIn };
  }

  /** The host's claims on top of ours; the protected ones are always ours (and absent stay absent). */
  private async customized(payload: AccessTokenClaims, grant: AccessTokenGrant): Promise<AccessTokenClaims> {
    const context = { clientId: grant.clientId, subject: grant.subject, scope: grant.scope, grantType: grant.grantType };
    const result = await this.customizer!.customize(structuredClone(payload), context);
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new TypeError('AccessTokenClaimsCustomizer.customize must return an object of claims');
    }
    const claims: AccessTokenClaims = { ...result };
    for (const name of PROTECTED_ACCESS_TOKEN_CLAIMS) {
      if (name in payload) claims[name] = payload[name];
      else delete claims[name];
    }
    return claims;
  }

  /**
   * The one way a token response is made: every grant and bootstrap path ends here, which is why
   * the tokens-issued event is emitted here (by `announce`) and nowhere else (no double counting).
   */
  async prepareResponse(grant: AccessTokenGrant, refreshToken?: string): Promise<PreparedTokenResponse> {
    const { accessToken, expiresIn, jti, exp } = await this.issueAccessToken(grant);
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: grant.dpopJkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: expiresIn,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope: grant.scope,
    };
    const announce = () => {
      recordIssuedResponse(response);
      this.events.emit({
        type: 'tokens_issued',
        grantType: grant.grantType,
        clientId: grant.clientId,
        ...(grant.familyId === undefined ? {} : { familyId: grant.familyId }),
        refreshToken: refreshToken !== undefined,
      });
    };
    return { response, accessToken: { jti, expiresAt: exp * 1000 }, announce };
  }

  /** Prepared and announced at once, for grants with nothing to commit (client_credentials). */
  async bearerResponse(grant: AccessTokenGrant, refreshToken?: string): Promise<TokenResponse> {
    const prepared = await this.prepareResponse(grant, refreshToken);
    prepared.announce();
    return prepared.response;
  }
}
