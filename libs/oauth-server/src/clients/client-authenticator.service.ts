import { Injectable, Optional } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { Clock } from '../common/clock';
import { CONTROL_CHARACTERS } from '../common/control-characters';
import { SecurityEvents } from '../events/security-events.service';
import { loggableClientId } from '../logging/loggable-client-id';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthParams } from '../oauth/oauth-params';
import { ClientAuthFailures } from '../rate-limit/client-auth-failures.service';
import { JWT_BEARER_ASSERTION_TYPE, type ClientAuthMethod } from './client-auth-method';
import { ClientAssertionVerifier } from './client-assertion-verifier.service';
import { ClientEntity } from './client.entity';
import { ClientStore } from './client.store';

export interface ClientCredentialsInput {
  authorization?: string;
  params: OAuthParams;
  /** The caller's address as the rate limits key it (`clientAddress`): failures block (id, address). */
  address?: string;
}

interface PresentedCredentials {
  clientId: string;
  secret?: string;
  /** private_key_jwt: the signed JWT (RFC 7523 §2.2). */
  assertion?: string;
  method: ClientAuthMethod;
}

const MAX_AUTHORIZATION_LENGTH = 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * RFC 6749 §2.3: authenticates the client of a request, once, before any grant runs. An unknown
 * client, a wrong secret, a disabled client and a missing secret all fail alike and do the same work
 * (a secret is always hashed and compared), so responses do not reveal which client ids exist.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientStore,
    private readonly events: SecurityEvents,
    @Optional() private readonly failures?: ClientAuthFailures,
    @Optional() private readonly clock?: Clock,
    @Optional() private readonly assertions?: ClientAssertionVerifier,
  ) {}

  async authenticate(input: ClientCredentialsInput): Promise<ClientEntity> {
    // The claimed client id, cut to the length any id of ours has room for; unset when unparseable.
    let clientId: string | undefined;
    const address = input.address ?? 'unknown';
    try {
      const presented = presentedCredentials(input);
      clientId = presented.clientId.slice(0, 64);
      // Issue 11 item 2: a block is per (client id, address), so failures elsewhere never lock this caller out.
      const blocked = (await this.failures?.blockedFor(clientId, address)) ?? 0;
      if (blocked > 0) throw OAuthError.slowDown(blocked, 'client id blocked at this address after repeated authentication failures');
      return await this.verify(presented);
    } catch (error) {
      if (error instanceof OAuthError && error.code === 'invalid_client') {
        // Only an id of our shape is logged as is: a caller that swapped id and secret must not get
        // its secret into the logs (issue 10 item 8).
        this.events.emit({ type: 'client_auth_failed', clientId: clientId === undefined ? undefined : loggableClientId(clientId), reason: error.debug ?? 'unknown' });
        // Known or not, every claimed id is counted the same way (no enumeration through the limiter).
        if (clientId !== undefined) await this.failures?.record(clientId, address);
      }
      throw error;
    }
  }

  /**
   * The same work whatever the outcome (issue 10 item 7): one lookup, one hash and constant-time
   * compare (against a dummy digest when there is no secret on record), every check evaluated, and
   * only then one decision. Unknown, disabled, wrong-secret and missing-secret then differ by
   * nothing a caller can time.
   */
  private async verify(presented: PresentedCredentials): Promise<ClientEntity> {
    const client = await this.clients.findForAuthentication(presented.clientId);
    const now = this.clock?.now() ?? Date.now();
    const disabled = client?.disabledAt != null;
    // RFC 6749 §2.3.1: the server MUST support HTTP Basic for clients issued a password, and MAY take
    // the secret in the body. A confidential client may use either, whatever it was registered with
    // (library defaults differ); a public client has no secret, so `none` is its only method. A
    // private_key_jwt client has no secret either: a signed assertion is its only method.
    const methodFits = client !== null && methodFamily(client.tokenEndpointAuthMethod) === methodFamily(presented.method);
    let credentialFailure: string | undefined;
    if (presented.method === 'private_key_jwt') {
      // The same work for every outcome: the assertion's checks and one signature verification,
      // against a dummy key when the client is unknown, disabled or registered for another method.
      const fit = client !== null && !disabled && methodFits ? client : null;
      credentialFailure = this.assertions ? await this.assertions.failure(presented.assertion!, presented.clientId, fit) : 'client assertions are not supported here';
    } else {
      // The current secret, or the previous one during a rotation's overlap; a dummy digest for an
      // unknown id. Either way one hash and two constant-time comparisons.
      const secretMatches = client
        ? client.secretMatches(presented.secret ?? '', now)
        : ClientEntity.secretCheckForUnknownClient(presented.secret ?? '');
      credentialFailure = presented.method === 'none' || secretMatches ? undefined : 'wrong client secret';
    }
    const failure =
      client === null ? 'unknown client'
      : disabled ? 'client is disabled'
      : !methodFits ? `client uses ${client.tokenEndpointAuthMethod}, request used ${presented.method}`
      : credentialFailure;
    if (failure !== undefined || client === null) throw OAuthError.invalidClient(failure);
    return client;
  }
}

/** Methods that are interchangeable for a client: both secret methods carry the same secret. */
function methodFamily(method: ClientAuthMethod): string {
  return method === 'client_secret_basic' || method === 'client_secret_post' ? 'secret' : method;
}

function presentedCredentials({ authorization, params }: ClientCredentialsInput): PresentedCredentials {
  const bodyClientId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  const assertionType = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if (assertionType !== undefined || assertion !== undefined) {
    // RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request.
    if (authorization !== undefined || bodySecret !== undefined) throw OAuthError.invalidRequest('More than one client authentication method used');
    return assertionCredentials(assertionType, assertion, bodyClientId);
  }
  if (authorization !== undefined) {
    const basic = parseBasicAuthorization(authorization);
    // RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request.
    if (bodySecret !== undefined) throw OAuthError.invalidRequest('More than one client authentication method used');
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      throw OAuthError.invalidRequest('client_id does not match the Authorization header');
    }
    return { ...basic, method: 'client_secret_basic' };
  }
  if (bodyClientId === undefined) throw OAuthError.invalidClient('no client authentication included');
  if (bodySecret !== undefined) return { clientId: bodyClientId, secret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyClientId, method: 'none' };
}

/**
 * RFC 7521 §4.2 / RFC 7523 §2.2: both parameters are required; the client is the assertion's `iss`
 * (read here unverified only to find the registration; the verifier checks it and `sub`).
 */
function assertionCredentials(type: string | undefined, assertion: string | undefined, bodyClientId: string | undefined): PresentedCredentials {
  if (type === undefined || assertion === undefined) throw OAuthError.invalidRequest('client_assertion and client_assertion_type go together');
  if (type !== JWT_BEARER_ASSERTION_TYPE) throw OAuthError.invalidClient('unsupported client_assertion_type');
  let issuer: unknown;
  try {
    issuer = assertion.length <= 8192 ? decodeJwt(assertion).iss : undefined;
  } catch {
    issuer = undefined;
  }
  if (typeof issuer !== 'string' || issuer === '' || CONTROL_CHARACTERS.test(issuer)) {
    // No trustworthy claimed id; count the failure against the body's client_id when there is one.
    if (bodyClientId !== undefined) return { clientId: bodyClientId, assertion: '', method: 'private_key_jwt' };
    throw OAuthError.invalidClient('client_assertion is not a JWT with an iss');
  }
  // RFC 7521 §4.2: a client_id, when sent, MUST identify the same client as the assertion.
  if (bodyClientId !== undefined && bodyClientId !== issuer) return { clientId: bodyClientId, assertion: '', method: 'private_key_jwt' };
  return { clientId: issuer, assertion, method: 'private_key_jwt' };
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined by ":" and base64-encoded. */
export function parseBasicAuthorization(header: string): { clientId: string; secret: string } {
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw OAuthError.invalidClient('Authorization header too long');
  const match = /^basic +(\S+)$/i.exec(header.trim());
  if (!match || !BASE64.test(match[1])) throw OAuthError.invalidClient('Authorization is not Basic credentials');
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(match[1], 'base64'));
  } catch {
    throw OAuthError.invalidClient('Basic credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw OAuthError.invalidClient('Basic credentials have no client id or no colon');
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  // RFC 6749 Appendix A.1/A.2: client_id and client_secret are VSCHAR, never control characters
  // (a NUL would also reach the database, where PostgreSQL rejects it as a query error).
  if (CONTROL_CHARACTERS.test(clientId) || CONTROL_CHARACTERS.test(secret)) {
    throw OAuthError.invalidClient('Basic credentials contain control characters');
  }
  return { clientId, secret };
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw OAuthError.invalidClient('Basic credentials are not form-urlencoded');
  }
}
