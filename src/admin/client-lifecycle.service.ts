import { Injectable } from '@nestjs/common';
import { ClientAdminError, type ClientChanges, ClientsService, ClientView, GrantHandlerRegistry, TokenFamiliesAdmin } from 'nest-oauth-server';

/**
 * Client lifecycle as the CLI and the admin API offer it: the registration (ClientsService) plus
 * what follows for the client's grants. Disabling or deleting a client ends its families, so its
 * refresh tokens and the access tokens minted from them introspect inactive (issue 10 item 5).
 */
@Injectable()
export class ClientLifecycleService {
  constructor(
    private readonly clients: ClientsService,
    private readonly families: TokenFamiliesAdmin,
    private readonly grants: GrantHandlerRegistry,
  ) {}

  list(): Promise<ClientView[]> {
    return this.clients.list();
  }

  show(clientId: string): Promise<ClientView> {
    return this.clients.show(clientId);
  }

  update(clientId: string, changes: ClientChanges): Promise<ClientView> {
    if (Array.isArray(changes.grantTypes)) this.assertKnownGrantTypes(changes.grantTypes);
    return this.clients.update(clientId, changes);
  }

  /**
   * Disabled first (no new grant can start), then every family revoked in bounded steps. Idempotent:
   * should a step answer 503, the retry disables again (a no-op) and revokes what is left.
   */
  async disable(clientId: string): Promise<{ client_id: string; disabled: true; revoked_families: number }> {
    await this.clients.disable(clientId);
    const revoked = await this.families.revokeClient(clientId, 'client_disabled');
    return { client_id: clientId, disabled: true, revoked_families: revoked };
  }

  /**
   * Revoked families stay revoked, and tokens issued before the disable stay inactive at
   * introspection (tokens_valid_after): enabling lets the client start new grants only.
   */
  async enable(clientId: string): Promise<{ client_id: string; disabled: false }> {
    await this.clients.enable(clientId);
    return { client_id: clientId, disabled: false };
  }

  /**
   * Its families are revoked (event, metrics), then deleted, both in bounded steps, then the
   * registration goes, with the client's remaining rows (codes, requests) by ON DELETE CASCADE:
   * one cascade over every family and token of a large client did not fit DATABASE_TIMEOUT.
   */
  async delete(clientId: string): Promise<{ client_id: string; deleted: true; revoked_families: number }> {
    await this.clients.show(clientId);
    const revoked = await this.families.revokeClient(clientId, 'client_deleted');
    await this.families.deleteClientFamilies(clientId);
    await this.clients.delete(clientId);
    return { client_id: clientId, deleted: true, revoked_families: revoked };
  }

  rotateSecret(clientId: string, keepOldForSeconds = 0) {
    return this.clients.rotateSecret(clientId, keepOldForSeconds);
  }

  assertKnownGrantTypes(grantTypes: string[]): void {
    const known = this.grants.grantTypes();
    const unknown = grantTypes.filter((grant) => !known.includes(grant));
    if (unknown.length > 0) throw new ClientAdminError(`unknown grant type(s) ${unknown.join(', ')}; supported: ${known.join(', ')}`);
  }
}
