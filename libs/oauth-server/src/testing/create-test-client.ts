import type { INestApplicationContext } from '@nestjs/common';
import type { ClientAuthMethod } from '../clients/client-auth-method';
import { ClientsService } from '../clients/clients.service';

export interface TestClientOptions {
  grantTypes: string[];
  /** Space-delimited registered scope; default `read write`. */
  scope?: string;
  /** A confidential client with a secret (default), or a public one (`none`). */
  confidential?: boolean;
  name?: string;
  redirectUris?: string[];
  authMethod?: ClientAuthMethod;
}

export interface TestClientCredentials {
  clientId: string;
  /** Absent for a public client. */
  clientSecret?: string;
}

/** Registers a client in the app under test, as an operator would (secret hashed, shown once). */
export async function createTestClient(app: INestApplicationContext, options: TestClientOptions): Promise<TestClientCredentials> {
  const confidential = options.confidential ?? true;
  const view = await app.get(ClientsService, { strict: false }).create({
    name: options.name ?? 'test client',
    tokenEndpointAuthMethod: options.authMethod ?? (confidential ? 'client_secret_basic' : 'none'),
    grantTypes: options.grantTypes,
    scope: options.scope ?? 'read write',
    ...(options.redirectUris === undefined ? {} : { redirectUris: options.redirectUris }),
  });
  return { clientId: view.client_id, ...(view.client_secret === undefined ? {} : { clientSecret: view.client_secret }) };
}
