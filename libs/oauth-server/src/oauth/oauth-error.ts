/**
 * The one error type of every OAuth endpoint. `code` and `description` reach the client as the
 * RFC 6749 §5.2 body; `debug` is for the logs only, so a reason never leaks to a caller
 * (node-oidc-provider `error_detail`, fosite `DebugField`).
 */
export class OAuthError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status: number = 400,
    readonly debug?: string,
    /** Seconds a throttled caller should wait; the filter sends it as Retry-After. */
    readonly retryAfter?: number,
    /** Response headers the error requires, e.g. `DPoP-Nonce` (RFC 9449 §8) or `WWW-Authenticate` (§7.1). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
  }

  /**
   * Over a rate limit: 429 (RFC 6585 §4, which MAY say how long to wait; RFC 9110 §10.2.3:
   * Retry-After in seconds) with the OAuth code `slow_down` (see the README for why that code).
   */
  static slowDown(retryAfter: number, debug?: string): OAuthError {
    return new OAuthError('slow_down', 'Too many requests; retry after the time given in Retry-After', 429, debug, Math.max(1, Math.ceil(retryAfter)));
  }

  /** RFC 9449 §5: a DPoP proof that fails any check of §4.3 (the reason stays in `debug`). */
  static invalidDpopProof(debug?: string, description = 'The DPoP proof is invalid'): OAuthError {
    return new OAuthError('invalid_dpop_proof', description, 400, debug);
  }

  /** RFC 9449 §8: the proof lacks a (current) server nonce; the client retries with `nonce`. */
  static useDpopNonce(nonce: string, debug?: string): OAuthError {
    return new OAuthError('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof', 400, debug, undefined, { 'DPoP-Nonce': nonce });
  }

  static invalidRequest(description: string, debug?: string): OAuthError {
    return new OAuthError('invalid_request', description, 400, debug);
  }

  /** RFC 6749 §5.2: 401 with WWW-Authenticate, added by the exception filter. */
  static invalidClient(debug?: string): OAuthError {
    return new OAuthError('invalid_client', 'Client authentication failed', 401, debug);
  }

  static invalidGrant(debug?: string, description = 'The provided authorization grant is invalid, expired or revoked'): OAuthError {
    return new OAuthError('invalid_grant', description, 400, debug);
  }

  static unauthorizedClient(description: string, debug?: string): OAuthError {
    return new OAuthError('unauthorized_client', description, 400, debug);
  }

  static unsupportedGrantType(debug?: string): OAuthError {
    return new OAuthError('unsupported_grant_type', 'The authorization grant type is not supported', 400, debug);
  }

  static invalidScope(description: string, debug?: string): OAuthError {
    return new OAuthError('invalid_scope', description, 400, debug);
  }

  static accessDenied(description: string, debug?: string): OAuthError {
    return new OAuthError('access_denied', description, 403, debug);
  }

  /**
   * The server cannot handle the request now (database outage, lock timeout, full disk) and nothing
   * was committed: retry the same request later. `temporarily_unavailable` is RFC 6749 §4.1.2.1's
   * code for this; the token endpoint answers it as 503 with Retry-After (RFC 9110 §15.6.4), which
   * the exception filter adds.
   */
  static temporarilyUnavailable(debug?: string): OAuthError {
    return new OAuthError('temporarily_unavailable', 'The server is temporarily unable to handle the request, retry later', 503, debug);
  }

  /**
   * RFC 6749 §5.2 `server_error`: an unexpected condition. The description stays generic; what
   * went wrong goes to `debug`, which only the logs see.
   */
  static serverError(debug?: string): OAuthError {
    return new OAuthError('server_error', 'The server encountered an unexpected condition', 500, debug);
  }

  /**
   * The same error with a private reason added (fosite's WithDebug): logged by the exception
   * filter, never sent. Handlers use it to say why without telling the caller.
   */
  withDebug(debug: string): OAuthError {
    return new OAuthError(this.code, this.description, this.status, this.debug === undefined ? debug : `${this.debug}; ${debug}`, this.retryAfter, this.headers);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: toNqsChars(this.description) };
  }
}

/**
 * RFC 6749 §5.2: error_description MUST NOT include characters outside %x20-21 / %x23-5B / %x5D-7E.
 * Descriptions may quote request input (a parameter name), so they are coerced here, once.
 */
function toNqsChars(text: string): string {
  return text.replace(/"/g, "'").replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
}
