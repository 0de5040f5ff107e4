import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ClientEntity } from '../clients/client.entity';
import { ClientStore } from '../clients/client.store';
import { Clock } from '../common/clock';
import { resolveRequestedScope } from '../common/scope';
import { RANDOM_TOKEN_SHAPE, randomToken, sha256Hex } from '../common/secure-random';
import { appConfig, AppConfig } from '../config/app.config';
import { authorizationConfig, AuthorizationConfig } from '../config/authorization.config';
import { OAuthError } from '../oauth/oauth-error';
import { CONTROL_CHARACTERS, OAuthParams } from '../oauth/oauth-params';
import { S256_CHALLENGE_SHAPE } from '../oauth/pkce';
import { authorizationResponseUrl } from './authorization-response';
import { LoginRequestEntity } from './login-request.entity';
import { LoginRequestStore } from './login-request.store';
import { PushedAuthorizationRequestEntity } from './pushed-authorization-request.entity';
import { PushedAuthorizationRequestsRepository } from './pushed-authorization-requests.repository';

/** Where the browser goes next, or the error page shown when the redirect URI cannot be trusted. */
export type AuthorizeOutcome = { redirectTo: string } | { errorPage: string };

/** RFC 9126 §2.2: the answer of the PAR endpoint. */
export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

/** RFC 9126 §2.2: the request_uri is a URN of this prefix and a random, single-use reference. */
export const PAR_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** The authorization request parameters (RFC 6749 §4.1.1, RFC 7636 §4.3) a pushed request keeps. */
// dpop_jkt may be pushed too (RFC 9449 §10.1).
const AUTHORIZATION_PARAMETERS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'dpop_jkt'];

/**
 * `state` is stored with the pending login request and echoed back: a cap bounds what one
 * unauthenticated request can write (issue 10 item 4). 512 is far above what clients send (a
 * random value, or a short signed blob); longer → invalid_request (RFC 6749 §4.1.2.1).
 */
export const MAX_STATE_LENGTH = 512;
// RFC 6749 Appendix A.1: client-id = *VSCHAR (%x20-7E). Anything else is no client of ours, and a
// NUL must not reach PostgreSQL, which refuses it in a query (a 500 instead of the error page).
const CLIENT_ID_SHAPE = /^[\x20-\x7e]{1,64}$/;

/**
 * RFC 6749 §4.1.2.1: error_description is NQSCHAR only (%x20-21 / %x23-5B / %x5D-7E). Every
 * description is one of these fixed texts: nothing of the request is echoed (a repeated
 * parameter's name could carry `"` or U+202E into the client's error page).
 */
export const AUTHORIZE_ERROR_DESCRIPTIONS = {
  repeated: 'A request parameter is repeated',
  badState: 'state is too long or has control characters',
  missingResponseType: 'response_type is required',
  responseType: 'Only response_type=code is supported',
  unauthorizedClient: 'The client is not allowed to use the authorization_code grant',
  missingChallenge: 'code_challenge is required (PKCE)',
  challengeMethod: 'code_challenge_method must be S256',
  malformedChallenge: 'code_challenge is malformed',
  malformedDpopJkt: 'dpop_jkt is malformed',
  malformedScope: 'The requested scope is malformed',
  excessScope: 'The requested scope exceeds the scope registered for the client',
  parRequired: 'This client must push its authorization requests (PAR) and send a request_uri',
} as const;

/** Why a request is refused without a redirect (RFC 6749 §4.1.2.1): shown to the user, or, at the PAR endpoint, sent as invalid_request. */
const UNTRUSTED = {
  client: 'The client_id is missing, repeated or not a known client.',
  redirectUri: 'The redirect_uri is missing, repeated or not registered for this client.',
  requestUri: 'The request_uri is malformed, unknown, expired, already used or was pushed by another client.',
} as const;

type Description = keyof typeof AUTHORIZE_ERROR_DESCRIPTIONS;

class RedirectableError {
  readonly description: string;

  constructor(
    readonly error: string,
    key: Description,
  ) {
    this.description = AUTHORIZE_ERROR_DESCRIPTIONS[key];
  }
}

/** RFC 6749 §4.1.1 authorization request → a stored login request for the login application. */
@Injectable()
export class AuthorizeService {
  constructor(
    private readonly clients: ClientStore,
    private readonly loginRequests: LoginRequestStore,
    private readonly pushedRequests: PushedAuthorizationRequestsRepository,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(authorizationConfig.KEY) private readonly config: AuthorizationConfig,
  ) {}

  get enabled(): boolean {
    return this.config.loginUrl !== undefined;
  }

  async authorize(query: URLSearchParams): Promise<AuthorizeOutcome> {
    const clientId = single(query, 'client_id');
    const client = clientId === undefined || !CLIENT_ID_SHAPE.test(clientId) ? null : await this.clients.findById(clientId);
    // RFC 6749 §4.1.2.1: with a missing or invalid client or redirect URI the server MUST NOT redirect.
    if (!client || client.disabledAt !== null) return { errorPage: UNTRUSTED.client };
    if (query.getAll('request_uri').some((value) => value !== '')) return this.authorizePushed(query, client);
    return this.start(query, client, false);
  }

  /**
   * RFC 9126 §4: `client_id` + `request_uri` stand for the pushed request. Only the pushed
   * parameters are used (RFC 9126 §4, RFC 9101 §5: the query's other parameters are ignored), and
   * they are validated again as any authorization request, so a client or policy changed since the
   * push is honoured. An unusable request_uri leaves no redirect URI the server could trust.
   */
  private async authorizePushed(query: URLSearchParams, client: ClientEntity): Promise<AuthorizeOutcome> {
    const requestUri = single(query, 'request_uri');
    const reference = requestUri?.startsWith(PAR_REQUEST_URI_PREFIX) ? requestUri.slice(PAR_REQUEST_URI_PREFIX.length) : undefined;
    if (reference === undefined || !RANDOM_TOKEN_SHAPE.test(reference)) return { errorPage: UNTRUSTED.requestUri };
    // RFC 9126 §2.2: a request_uri is used once (the code_challenge in it is unique to one flow).
    const pushed = await this.pushedRequests.consume(sha256Hex(reference), client.clientId, this.clock.now());
    if (!pushed) return { errorPage: UNTRUSTED.requestUri };
    return this.start(new URLSearchParams(pushed.parameters), client, true);
  }

  /** The authorization request (from the query, or pushed) → a login request, or its error. */
  private async start(query: URLSearchParams, client: ClientEntity, pushed: boolean): Promise<AuthorizeOutcome> {
    const checked = checkRedirect(query, client);
    if ('untrusted' in checked) return { errorPage: checked.untrusted };
    const { redirectUri, state } = checked;
    try {
      // RFC 9126 §4 (and §5, §6 metadata): where PAR is required, a request without a request_uri
      // from the PAR endpoint is refused with invalid_request.
      if (!pushed && (this.config.parRequired || client.requirePushedAuthorizationRequests)) {
        throw new RedirectableError('invalid_request', 'parRequired');
      }
      const challenge = await this.createLoginRequest(validate(query, client, state), client, redirectUri, state);
      // A path-only login URL is the host's own page, on the issuer's origin.
      const loginUrl = new URL(this.config.loginUrl!, this.app.issuer);
      loginUrl.searchParams.set('login_challenge', challenge);
      return { redirectTo: loginUrl.toString() };
    } catch (error) {
      if (!(error instanceof RedirectableError)) throw error;
      const params = { error: error.error, error_description: error.description, state, iss: this.app.issuer };
      return { redirectTo: authorizationResponseUrl(redirectUri, params) };
    }
  }

  /**
   * RFC 9126 §2.1, for a client authenticated as at the token endpoint: a pushed request is
   * validated exactly as one sent to the authorization endpoint (the same checks as `start`), and
   * stored for PAR_REQUEST_TTL seconds under the hash of a random request_uri. Errors are RFC 6749
   * §5.2 JSON (RFC 9126 §2.3).
   */
  async push(params: OAuthParams, client: ClientEntity, proofKey?: string): Promise<PushedAuthorizationResponse> {
    // RFC 9126 §2.1: the AS MUST reject a pushed request that carries request_uri.
    if (params.has('request_uri')) throw OAuthError.invalidRequest('request_uri must not be pushed');
    const query = new URLSearchParams();
    for (const name of AUTHORIZATION_PARAMETERS) {
      const value = params.get(name);
      if (value !== undefined) query.set(name, value);
    }
    // The form parser has already refused repeats; the authenticator, a client_id other than the client's.
    query.set('client_id', client.clientId);
    if (proofKey !== undefined) {
      // RFC 9449 §10.1: with both a proof and dpop_jkt, the AS MUST reject the request unless they
      // name the same key; a proof alone binds the code as dpop_jkt would.
      const named = query.get('dpop_jkt');
      if (named && named !== proofKey) throw OAuthError.invalidDpopProof('DPoP proof key differs from dpop_jkt', 'The DPoP proof does not match dpop_jkt');
      query.set('dpop_jkt', proofKey);
    }
    const checked = checkRedirect(query, client);
    // RFC 9126 §2.3: where RFC 6749 §4.1.2.1 forbids redirecting (a missing or invalid redirect_uri), invalid_request.
    if ('untrusted' in checked) throw OAuthError.invalidRequest(checked.untrusted);
    try {
      validate(query, client, checked.state);
    } catch (error) {
      // RFC 9126 §2.3: the error codes of RFC 6749 §4.1.2.1, in the token endpoint's format.
      if (error instanceof RedirectableError) throw new OAuthError(error.error, error.description, 400);
      throw error;
    }
    const reference = randomToken(32);
    const now = this.clock.now();
    await this.pushedRequests.insert(
      Object.assign(new PushedAuthorizationRequestEntity(), {
        id: randomUUID(),
        requestUriHash: sha256Hex(reference),
        clientId: client.clientId,
        parameters: query.toString(),
        createdAt: now,
        expiresAt: now + this.config.parRequestTtl * 1000,
      }),
      now,
    );
    return { request_uri: `${PAR_REQUEST_URI_PREFIX}${reference}`, expires_in: this.config.parRequestTtl };
  }

  private async createLoginRequest(request: { scope: string; codeChallenge: string; dpopJkt: string | null }, client: ClientEntity, redirectUri: string, state?: string): Promise<string> {
    const challenge = randomToken(32);
    const now = this.clock.now();
    await this.loginRequests.insert(
      Object.assign(new LoginRequestEntity(), {
        id: randomUUID(),
        challengeHash: sha256Hex(challenge),
        clientId: client.clientId,
        redirectUri,
        scope: request.scope,
        state: state ?? null,
        codeChallenge: request.codeChallenge,
        dpopJkt: request.dpopJkt,
        createdAt: now,
        expiresAt: now + this.config.loginRequestTtl * 1000,
        handledAt: null,
      }),
      now,
    );
    return challenge;
  }
}

/**
 * The redirect URI every error may be sent to, and the `state` that may be echoed; or why the
 * request cannot be answered by a redirect.
 */
function checkRedirect(query: URLSearchParams, client: ClientEntity): { redirectUri: string; state?: string } | { untrusted: string } {
  const redirectUri = single(query, 'redirect_uri');
  // RFC 9700 §2.1: redirect URIs are compared by exact string match.
  if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) return { untrusted: UNTRUSTED.redirectUri };
  const state = single(query, 'state');
  const stateToEcho = state !== undefined && state.length <= MAX_STATE_LENGTH && !CONTROL_CHARACTERS.test(state) ? state : undefined;
  return { redirectUri, state: stateToEcho };
}

function validate(query: URLSearchParams, client: ClientEntity, state?: string): { scope: string; codeChallenge: string; dpopJkt: string | null } {
  // RFC 6749 §3.1: request parameters MUST NOT be included more than once (empty ones count as omitted).
  const repeated = [...new Set(query.keys())].find((name) => query.getAll(name).filter((value) => value !== '').length > 1);
  if (repeated !== undefined) throw new RedirectableError('invalid_request', 'repeated');
  if (query.get('state') && state === undefined) throw new RedirectableError('invalid_request', 'badState');
  const responseType = query.get('response_type');
  if (!responseType) throw new RedirectableError('invalid_request', 'missingResponseType');
  if (responseType !== 'code') throw new RedirectableError('unsupported_response_type', 'responseType');
  if (!client.allowsGrant('authorization_code')) {
    throw new RedirectableError('unauthorized_client', 'unauthorizedClient');
  }
  return { codeChallenge: codeChallenge(query), scope: requestedScope(query.get('scope'), client.scope), dpopJkt: dpopJkt(query) };
}

/** RFC 7636 §4.4.1 and RFC 9700 §2.1.1: PKCE is required for every client, and only S256. */
function codeChallenge(query: URLSearchParams): string {
  const challenge = query.get('code_challenge');
  if (!challenge) throw new RedirectableError('invalid_request', 'missingChallenge');
  if (query.get('code_challenge_method') !== 'S256') {
    throw new RedirectableError('invalid_request', 'challengeMethod');
  }
  if (!S256_CHALLENGE_SHAPE.test(challenge)) throw new RedirectableError('invalid_request', 'malformedChallenge');
  return challenge;
}

/** RFC 9449 §10: an optional JWK SHA-256 thumbprint (RFC 7638, base64url, 43 characters). */
const DPOP_JKT_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function dpopJkt(query: URLSearchParams): string | null {
  const jkt = query.get('dpop_jkt');
  if (!jkt) return null;
  if (!DPOP_JKT_SHAPE.test(jkt)) throw new RedirectableError('invalid_request', 'malformedDpopJkt');
  return jkt;
}

/** The one scope policy (RFC 6749 §3.3), its refusals as the fixed texts of the error redirect. */
function requestedScope(requested: string | null, clientScope: string): string {
  try {
    return resolveRequestedScope(requested ?? undefined, clientScope);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const key = (Object.keys(AUTHORIZE_ERROR_DESCRIPTIONS) as Description[]).find((name) => AUTHORIZE_ERROR_DESCRIPTIONS[name] === error.description);
    throw new RedirectableError('invalid_scope', key ?? 'malformedScope');
  }
}

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  return values.length === 1 && values[0] !== '' ? values[0] : undefined;
}
