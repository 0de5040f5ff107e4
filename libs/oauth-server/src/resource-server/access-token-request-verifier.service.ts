import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ClientStore } from '../clients/client.store';
import { Scope } from '../common/scope';
import { appConfig, AppConfig } from '../config/app.config';
import { dpopHeaders, DpopProofError, DpopProofVerifier } from '../dpop/dpop-proof-verifier.service';
import { OAuthError } from '../oauth/oauth-error';
import { AccessTokenClaims, AccessTokenVerifier } from '../token-status/access-token-verifier.service';
import { RevokedAccessTokensRepository } from '../token-status/revoked-access-tokens.repository';

/** RFC 6750 §2.1 / RFC 9449 §7.1: `<scheme> <token68>`. */
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The resource-server side of RFC 9449 and RFC 6750, in process: verifies an API request's access
 * token against this service's keys and revocation state, and, for a DPoP-bound token, the proof
 * that comes with it. Used by AccessTokenGuard; callable on its own (`verifyAccessTokenRequest`).
 */
@Injectable()
export class AccessTokenRequestVerifier {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly revoked: RevokedAccessTokensRepository,
    private readonly clients: ClientStore,
    private readonly proofs: DpopProofVerifier,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  /** The token's claims, or a 401/403 OAuthError carrying the WWW-Authenticate the RFCs ask for. */
  async verifyAccessTokenRequest(req: Request, requiredScope?: string): Promise<AccessTokenClaims> {
    const authorization = req.headers.authorization;
    // RFC 6750 §3.1: a request without credentials gets the challenge and no error code.
    if (authorization === undefined) throw this.unauthorized('DPoP', undefined, 'no Authorization header', true);
    const match = AUTHORIZATION.exec(authorization);
    if (!match) throw this.unauthorized('DPoP', 'invalid_request', 'malformed Authorization header', true);
    const scheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = match[2];
    const claims = await this.liveClaims(token);
    if (!claims) throw this.unauthorized(scheme, 'invalid_token', 'access token invalid, expired or revoked');
    if (scheme === 'Bearer') {
      // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token MUST be refused.
      if (claims.cnf !== undefined) throw this.unauthorized('DPoP', 'invalid_token', 'DPoP-bound token presented as Bearer');
    } else {
      // RFC 9449 §7.1: the DPoP scheme is for bound tokens only, with a proof of the bound key.
      if (claims.cnf === undefined) throw this.unauthorized('DPoP', 'invalid_token', 'unbound token presented with the DPoP scheme');
      await this.verifyProof(req, token, claims.cnf.jkt);
    }
    // RFC 6750 §3.1: insufficient_scope is a 403.
    if (requiredScope !== undefined && !Scope.parse(requiredScope).isSubsetOf(Scope.parse(claims.scope ?? ''))) {
      throw new OAuthError('insufficient_scope', 'The access token lacks the required scope', 403, 'scope', undefined, {
        'WWW-Authenticate': `${scheme} error="insufficient_scope", scope="${Scope.parse(requiredScope).toString()}"`,
      });
    }
    return claims;
  }

  private async liveClaims(token: string): Promise<AccessTokenClaims | null> {
    const claims = await this.tokens.verify(token);
    if (!claims || (await this.revoked.isAccessTokenRevoked(claims.jti, claims.familyId))) return null;
    const client = await this.clients.findById(claims.client_id);
    return client !== null && client.disabledAt === null ? claims : null;
  }

  private async verifyProof(req: Request, token: string, jkt: string): Promise<void> {
    // The request URL from the configured public origin and the route, never from Host.
    const htu = `${new URL(this.app.issuer).origin}${req.originalUrl.split(/[?#]/)[0]}`;
    try {
      const proof = await this.proofs.verify({ proofs: dpopHeaders(req.rawHeaders), method: req.method, htu, accessToken: token });
      // RFC 9449 §4.3 step 12: the proof's key is the one the token is bound to.
      if (proof.jkt !== jkt) throw new DpopProofError('invalid_dpop_proof', 'proof key is not the key the token is bound to');
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      throw this.unauthorized('DPoP', 'invalid_dpop_proof', error.debug);
    }
  }

  /** RFC 9449 §7.1, RFC 6750 §3: 401 with a challenge; both schemes offered when none was used. */
  private unauthorized(scheme: 'DPoP' | 'Bearer', code: string | undefined, debug: string, offerBoth = false): OAuthError {
    const algs = `algs="${this.proofs.algorithms.join(' ')}"`;
    const dpop = code === undefined ? `DPoP ${algs}` : scheme === 'DPoP' ? `DPoP error="${code}", ${algs}` : `Bearer error="${code}"`;
    const challenge = offerBoth ? `${dpop}, Bearer` : dpop;
    return new OAuthError(code ?? 'invalid_token', code === undefined ? 'An access token is required' : 'The access token or its DPoP proof is invalid', 401, debug, undefined, {
      'WWW-Authenticate': challenge,
    });
  }
}
