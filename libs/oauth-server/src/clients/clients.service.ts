import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CONTROL_CHARACTERS } from '../oauth/oauth-params';
import { Scope } from '../common/scope';
import { randomBytes } from 'node:crypto';
import type { ClientAuthMethod } from './client-auth-method';
import { ClientEntity } from './client.entity';
import type { ClientChanges } from './client-fields';
import { ClientSecret } from './client-secret';
import { ClientStore } from './client.store';
import { validCorsOrigins } from './cors-origin';
import { redirectUriProblem } from './redirect-uri';
import { JwkSetError, parsePublicJwkSet } from './jwks/public-jwk-set';
import { jwksUriProblem } from './jwks/jwks-uri';

export interface CreateClientInput {
  name: string;
  tokenEndpointAuthMethod: ClientAuthMethod;
  grantTypes: string[];
  scope: string;
  redirectUris?: string[];
  /** RFC 7662: may introspect tokens; only for confidential clients. */
  allowIntrospection?: boolean;
  /** Browser origins for CORS at the token and revocation endpoints (see cors-origin.ts). */
  allowedCorsOrigins?: string[];
  /** RFC 9126 §6: authorization requests only through PAR. */
  requirePushedAuthorizationRequests?: boolean;
  /** private_key_jwt: the public JWK Set (object or JSON text), or where to fetch it. */
  jwks?: unknown;
  jwksUri?: string;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`. */
  dpopBoundAccessTokens?: boolean;
}

/** RFC 7591 §3.2.1 field names, so the output reads like a registration response. */
export interface ClientView {
  client_id: string;
  client_secret?: string;
  client_name: string;
  token_endpoint_auth_method: ClientAuthMethod;
  grant_types: string[];
  scope: string;
  redirect_uris: string[];
  client_id_issued_at: number;
  disabled: boolean;
  allow_introspection: boolean;
  /** RFC 9126 §6 client metadata. */
  require_pushed_authorization_requests: boolean;
  /** RFC 7591 §2: the client's public keys (private_key_jwt), inline or by reference. */
  jwks?: unknown;
  jwks_uri?: string;
  dpop_bound_access_tokens: boolean;
  /** Set while a rotated-out secret still works (`clients:rotate-secret --keep-old-for`), epoch seconds. */
  previous_secret_expires_at?: number;
  allowed_cors_origins: string[];
}

export class ClientAdminError extends Error {}

/** The client id names no registration. */
export class ClientNotFoundError extends ClientAdminError {}

/** Registration and lifecycle of clients (the admin CLI's back end). */
@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientStore,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateClientInput): Promise<ClientView> {
    if (Scope.parseStrict(input.scope) === null) throw new ClientAdminError('scope has invalid characters (RFC 6749 §3.3)');
    // RFC 7662 §2.1: introspection needs an authenticated caller, which a public client is not.
    if (input.allowIntrospection && input.tokenEndpointAuthMethod === 'none') {
      throw new ClientAdminError('a public client (auth method none) cannot be allowed introspection');
    }
    assertConsistent(input);
    const keys = await registeredKeys(input.tokenEndpointAuthMethod, input.jwks ?? null, input.jwksUri ?? null);
    // private_key_jwt clients prove themselves with their key: no secret is issued.
    const secret = input.tokenEndpointAuthMethod === 'none' || input.tokenEndpointAuthMethod === 'private_key_jwt' ? undefined : ClientSecret.generate();
    const client = Object.assign(new ClientEntity(), {
      // Hex, so an id never starts with "-" and reads as an option on a command line.
      clientId: randomBytes(16).toString('hex'),
      name: input.name,
      secretHash: secret === undefined ? null : ClientSecret.hash(secret),
      tokenEndpointAuthMethod: input.tokenEndpointAuthMethod,
      grantTypes: [...new Set(input.grantTypes)],
      scope: Scope.parse(input.scope).toString(),
      redirectUris: input.redirectUris ?? [],
      createdAt: this.clock.now(),
      disabledAt: null,
      tokensValidAfter: null,
      allowIntrospection: input.allowIntrospection ?? false,
      requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests ?? false,
      dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? false,
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      allowedCorsOrigins: validCorsOrigins(input.allowedCorsOrigins ?? [], (problem) => new ClientAdminError(problem)),
      ...keys,
    });
    await this.clients.insert(client);
    return { ...toView(client), ...(secret === undefined ? {} : { client_secret: secret }) };
  }

  async list(): Promise<ClientView[]> {
    return (await this.clients.list()).map(toView);
  }

  async show(clientId: string): Promise<ClientView> {
    return toView(await this.find(clientId));
  }

  /**
   * Changes registered fields (see client-fields.ts for which); the result must be as consistent as
   * a new registration. Nothing is written when a check fails.
   */
  async update(clientId: string, changes: ClientChanges): Promise<ClientView> {
    const client = await this.find(clientId);
    const updated = Object.assign(Object.create(ClientEntity.prototype) as ClientEntity, client, changes);
    // No control characters: a NUL would also reach PostgreSQL, which refuses it (a 500).
    if (typeof updated.name !== 'string' || updated.name.trim() === '' || updated.name.length > 200 || CONTROL_CHARACTERS.test(updated.name)) {
      throw new ClientAdminError('client_name must be 1-200 characters, no control characters');
    }
    const scope = Scope.parseStrict(updated.scope);
    if (scope === null) throw new ClientAdminError('scope has invalid characters (RFC 6749 §3.3)');
    updated.scope = scope.toString();
    updated.grantTypes = [...new Set(updated.grantTypes)];
    if (updated.grantTypes.length === 0) throw new ClientAdminError('grant_types must not be empty');
    updated.redirectUris = [...new Set(updated.redirectUris)];
    updated.allowedCorsOrigins = validCorsOrigins([...new Set(updated.allowedCorsOrigins)], (problem) => new ClientAdminError(problem));
    if (updated.allowIntrospection && !updated.isConfidential) {
      throw new ClientAdminError('a public client (auth method none) cannot be allowed introspection');
    }
    assertConsistent({ ...updated, tokenEndpointAuthMethod: updated.tokenEndpointAuthMethod });
    if ('jwks' in changes || 'jwksUri' in changes) {
      // Setting one of the two replaces the other (a client has one source of keys).
      const jwks = 'jwks' in changes ? changes.jwks : 'jwksUri' in changes && changes.jwksUri ? null : updated.jwks;
      const jwksUri = 'jwksUri' in changes ? changes.jwksUri || null : 'jwks' in changes && changes.jwks ? null : updated.jwksUri;
      Object.assign(updated, await registeredKeys(updated.tokenEndpointAuthMethod, jwks ?? null, (jwksUri as string | null) ?? null));
      Object.assign(changes, { jwks: updated.jwks, jwksUri: updated.jwksUri });
    }
    const columns = Object.fromEntries(Object.keys(changes).map((property) => [property, updated[property as keyof ClientEntity]]));
    await this.clients.update(clientId, columns as Partial<ClientEntity>);
    return toView(updated);
  }

  /**
   * Idempotent: disabling a disabled client succeeds again, so that an operator whose disable
   * answered 503 halfway (the families are revoked after the disable committed) can simply retry
   * and finish the revocation (review M5).
   */
  async disable(clientId: string): Promise<void> {
    if (!(await this.clients.disable(clientId, this.clock.now()))) throw new ClientNotFoundError(`no client ${clientId}`);
  }

  async enable(clientId: string): Promise<void> {
    if (!(await this.clients.enable(clientId))) {
      await this.find(clientId);
      throw new ClientAdminError(`client ${clientId} is not disabled`);
    }
  }

  /** Deletes the registration; its families, tokens and codes go with it (ON DELETE CASCADE). */
  async delete(clientId: string): Promise<void> {
    if (!(await this.clients.delete(clientId))) throw new ClientNotFoundError(`no client ${clientId}`);
  }

  /**
   * A new secret, shown only in this answer. The old one stops working at once, or, with
   * `keepOldForSeconds`, keeps working until then (a deployment's overlap); only its hash is kept.
   * Rotating again during an overlap replaces the previous secret with the one being rotated out.
   */
  async rotateSecret(clientId: string, keepOldForSeconds = 0): Promise<{ client_id: string; client_secret: string; previous_secret_expires_at?: number }> {
    const client = await this.find(clientId);
    if (!client.isConfidential) throw new ClientAdminError(`client ${clientId} is public and has no secret`);
    if (client.usesAssertion) throw new ClientAdminError(`client ${clientId} authenticates with private_key_jwt and has no secret; update its jwks or jwks_uri instead`);
    if (!Number.isInteger(keepOldForSeconds) || keepOldForSeconds < 0 || keepOldForSeconds > MAX_SECRET_OVERLAP_SECONDS) {
      throw new ClientAdminError(`the overlap must be 0-${MAX_SECRET_OVERLAP_SECONDS} seconds`);
    }
    const secret = ClientSecret.generate();
    const expiresAt = keepOldForSeconds > 0 ? this.clock.now() + keepOldForSeconds * 1000 : null;
    await this.clients.update(clientId, {
      secretHash: ClientSecret.hash(secret),
      previousSecretHash: expiresAt === null ? null : client.secretHash,
      previousSecretExpiresAt: expiresAt,
    });
    return { client_id: clientId, client_secret: secret, ...(expiresAt === null ? {} : { previous_secret_expires_at: Math.floor(expiresAt / 1000) }) };
  }

  private async find(clientId: string): Promise<ClientEntity> {
    const client = await this.clients.findById(clientId);
    if (!client) throw new ClientNotFoundError(`no client ${clientId}`);
    return client;
  }
}

/** An overlap is for rolling a deployment, not a second permanent secret. */
export const MAX_SECRET_OVERLAP_SECONDS = 30 * 24 * 3600;

function assertConsistent(input: CreateClientInput): void {
  const redirectUris = input.redirectUris ?? [];
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new ClientAdminError(problem);
  }
  if (input.grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new ClientAdminError('the authorization_code grant needs at least one --redirect-uri');
  }
  // RFC 6749 §4.4: the client credentials grant is for confidential clients only.
  if (input.grantTypes.includes('client_credentials') && input.tokenEndpointAuthMethod === 'none') {
    throw new ClientAdminError('the client_credentials grant needs a confidential client (not --auth-method none)');
  }
}

/**
 * RFC 7523 §2.2: a private_key_jwt client needs exactly one of jwks and jwks_uri, public keys only;
 * any other client has neither (keys it could not use would only mislead).
 */
async function registeredKeys(method: ClientAuthMethod, jwks: unknown, jwksUri: string | null): Promise<{ jwks: string | null; jwksUri: string | null }> {
  const hasJwks = jwks !== null && jwks !== undefined && jwks !== '';
  const hasUri = jwksUri !== null && jwksUri !== '';
  if (method !== 'private_key_jwt') {
    if (hasJwks || hasUri) throw new ClientAdminError('jwks and jwks_uri are only for --auth-method private_key_jwt');
    return { jwks: null, jwksUri: null };
  }
  if (hasJwks === hasUri) throw new ClientAdminError('private_key_jwt needs exactly one of jwks and jwks_uri');
  if (hasUri) {
    const problem = jwksUriProblem(jwksUri!);
    if (problem) throw new ClientAdminError(problem);
    return { jwks: null, jwksUri };
  }
  try {
    return { jwks: JSON.stringify(await parsePublicJwkSet(jwks)), jwksUri: null };
  } catch (error) {
    if (error instanceof JwkSetError) throw new ClientAdminError(error.message);
    throw error;
  }
}

function toView(client: ClientEntity): ClientView {
  return {
    client_id: client.clientId,
    client_name: client.name,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    grant_types: client.grantTypes,
    scope: client.scope,
    redirect_uris: client.redirectUris,
    client_id_issued_at: Math.floor(client.createdAt / 1000),
    disabled: client.disabledAt !== null,
    allow_introspection: client.allowIntrospection,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
    ...(client.jwks === null ? {} : { jwks: JSON.parse(client.jwks) as unknown }),
    ...(client.jwksUri === null ? {} : { jwks_uri: client.jwksUri }),
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    ...(client.previousSecretExpiresAt === null ? {} : { previous_secret_expires_at: Math.floor(client.previousSecretExpiresAt / 1000) }),
    allowed_cors_origins: client.allowedCorsOrigins,
  };
}
