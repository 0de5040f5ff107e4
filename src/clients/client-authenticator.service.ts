import { Injectable, Optional } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SecurityEvents } from '../events/security-events.service';
import { loggableClientId } from '../logging/loggable-client-id';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthParams } from '../oauth/oauth-params';
import { ClientAuthFailures } from '../rate-limit/client-auth-failures.service';
import type { ClientAuthMethod } from './client-auth-method';
import { ClientEntity } from './client.entity';
import { ClientsRepository } from './clients.repository';

export interface ClientCredentialsInput {
  authorization?: string;
  params: OAuthParams;
  /** The caller's address as the rate limits key it (`clientAddress`): failures block (id, address). */
  address?: string;
}

interface PresentedCredentials {
  clientId: string;
  secret?: string;
  method: ClientAuthMethod;
}

const MAX_AUTHORIZATION_LENGTH = 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * RFC 6749 §2.3: authenticates the client of a request, once, before any grant runs. An unknown
 * client, a wrong secret, a disabled client and a missing secret all fail alike and do the same work
 * (a secret is always hashed and compared), so responses do not reveal which client ids exist.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly events: SecurityEvents,
    @Optional() private readonly failures?: ClientAuthFailures,
    @Optional() private readonly clock?: Clock,
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
    // The current secret, or the previous one during a rotation's overlap; a dummy digest for an
    // unknown id. Either way one hash and two constant-time comparisons.
    const secretMatches = client
      ? client.secretMatches(presented.secret ?? '', now)
      : ClientEntity.secretCheckForUnknownClient(presented.secret ?? '');
    const disabled = client?.disabledAt != null;
    // RFC 6749 §2.3.1: the server MUST support HTTP Basic for clients issued a password, and MAY take
    // the secret in the body. A confidential client may use either, whatever it was registered with
    // (library defaults differ); a public client has no secret, so `none` is its only method.
    const methodFits = client?.isConfidential === (presented.method !== 'none');
    const secretFits = presented.method === 'none' || secretMatches;
    const failure =
      client === null ? 'unknown client'
      : disabled ? 'client is disabled'
      : !methodFits ? `client uses ${client.tokenEndpointAuthMethod}, request used ${presented.method}`
      : !secretFits ? 'wrong client secret'
      : undefined;
    if (failure !== undefined || client === null) throw OAuthError.invalidClient(failure);
    return client;
  }
}

function presentedCredentials({ authorization, params }: ClientCredentialsInput): PresentedCredentials {
  const bodyClientId = params.get('client_id');
  const bodySecret = params.get('client_secret');
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
