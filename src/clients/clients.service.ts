import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Scope } from '../common/scope';
import { randomBytes } from 'node:crypto';
import type { ClientAuthMethod } from './client-auth-method';
import { ClientEntity } from './client.entity';
import { ClientSecret } from './client-secret';
import { ClientsRepository } from './clients.repository';
import { validCorsOrigins } from './cors-origin';
import { redirectUriProblem } from './redirect-uri';

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
  allowed_cors_origins: string[];
}

export class ClientAdminError extends Error {}

/** Registration and lifecycle of clients (the admin CLI's back end). */
@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateClientInput): Promise<ClientView> {
    if (Scope.parseStrict(input.scope) === null) throw new ClientAdminError('scope has invalid characters (RFC 6749 §3.3)');
    // RFC 7662 §2.1: introspection needs an authenticated caller, which a public client is not.
    if (input.allowIntrospection && input.tokenEndpointAuthMethod === 'none') {
      throw new ClientAdminError('a public client (auth method none) cannot be allowed introspection');
    }
    assertConsistent(input);
    const secret = input.tokenEndpointAuthMethod === 'none' ? undefined : ClientSecret.generate();
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
      allowIntrospection: input.allowIntrospection ?? false,
      allowedCorsOrigins: validCorsOrigins(input.allowedCorsOrigins ?? [], (problem) => new ClientAdminError(problem)),
    });
    await this.clients.insert(client);
    return { ...toView(client), ...(secret === undefined ? {} : { client_secret: secret }) };
  }

  async list(): Promise<ClientView[]> {
    return (await this.clients.list()).map(toView);
  }

  async disable(clientId: string): Promise<void> {
    if (!(await this.clients.disable(clientId, this.clock.now()))) {
      throw new ClientAdminError(`no enabled client ${clientId}`);
    }
  }

  /** The old secret stops working at once; the new one is shown only in this answer. */
  async rotateSecret(clientId: string): Promise<{ client_id: string; client_secret: string }> {
    const client = await this.clients.findById(clientId);
    if (!client) throw new ClientAdminError(`no client ${clientId}`);
    if (!client.isConfidential) throw new ClientAdminError(`client ${clientId} is public and has no secret`);
    const secret = ClientSecret.generate();
    await this.clients.replaceSecretHash(clientId, ClientSecret.hash(secret));
    return { client_id: clientId, client_secret: secret };
  }
}

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
    allowed_cors_origins: client.allowedCorsOrigins,
  };
}
