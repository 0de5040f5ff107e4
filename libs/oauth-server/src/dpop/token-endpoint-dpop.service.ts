import { Injectable, RequestMethod } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ClientEntity } from '../clients/client.entity';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthRoutePaths } from '../oauth/oauth-route-paths.service';
import { DpopNonces } from './dpop-nonces.service';
import { dpopHeaders, DpopProofError, DpopProofVerifier } from './dpop-proof-verifier.service';

/**
 * The token endpoint's DPoP step (RFC 9449 §5): runs once, after client authentication and before
 * the grant, like client authentication itself; the grant receives only the verified key.
 */
@Injectable()
export class TokenEndpointDpop {
  constructor(
    private readonly verifier: DpopProofVerifier,
    private readonly nonces: DpopNonces,
    private readonly paths: OAuthRoutePaths,
  ) {}

  /**
   * The thumbprint of the request's verified proof; undefined when it carries none (and may not).
   * `endpoint` is the route the proof's `htu` must name: the token endpoint, or the PAR endpoint
   * (RFC 9449 §10.1), where a proof is optional whatever the client's registration; its URL is the
   * one the metadata advertises (a host's prefix included).
   */
  async verifiedKey(req: Request, client: ClientEntity, endpoint: '/oauth/token' | '/oauth/par' = '/oauth/token'): Promise<string | undefined> {
    const proofs = dpopHeaders(req.rawHeaders);
    if (proofs.length === 0) {
      // RFC 9449 §5.2: a client registered dpop_bound_access_tokens MUST send a proof with every token request.
      if (client.dpopBoundAccessTokens && endpoint === '/oauth/token') throw OAuthError.invalidDpopProof('client requires DPoP, no proof sent', 'A DPoP proof is required for this client');
      return undefined;
    }
    try {
      // The URL is built from the configured issuer, never the request's Host header (an attacker's choice).
      const htu = this.paths.urlOf(RequestMethod.POST, endpoint);
      const verified = await this.verifier.verify({ proofs, method: req.method, htu, requireNonce: this.nonces.required });
      return verified.jkt;
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      // RFC 9449 §8: use_dpop_nonce carries a fresh nonce in DPoP-Nonce.
      if (error.kind === 'use_dpop_nonce') throw OAuthError.useDpopNonce(this.nonces.current(), error.debug);
      throw OAuthError.invalidDpopProof(error.debug);
    }
  }

  /** RFC 9449 §8.2: with nonces on, every successful answer hands out the current nonce. */
  onSuccess(res: Response): void {
    if (this.nonces.required) res.setHeader('DPoP-Nonce', this.nonces.current());
  }
}
