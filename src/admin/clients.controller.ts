import { Body, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { changesFromJson, ClientAdminError, ClientFieldError, ClientNotFoundError, ClientView, CONTROL_CHARACTERS, NoStore, OAuthError } from 'nest-oauth-server';
import { AdminController } from './admin-controller.decorator';
import { ClientLifecycleService } from './client-lifecycle.service';

/**
 * Client lifecycle over the admin API (the same operations as the CLI), behind the admin API key;
 * JSON, never cached (a rotated secret is in an answer).
 *   GET    /admin/clients                      list
 *   GET    /admin/clients/:id                  show
 *   PATCH  /admin/clients/:id                  update {client_name, scope, redirect_uris, grant_types, allow_introspection, require_pushed_authorization_requests, allowed_cors_origins, jwks, jwks_uri, dpop_bound_access_tokens}
 *   POST   /admin/clients/:id/disable          disable (its families are revoked)
 *   POST   /admin/clients/:id/enable
 *   POST   /admin/clients/:id/rotate-secret    {keep_old_for?: seconds}
 *   DELETE /admin/clients/:id                  delete (its families are revoked, then removed)
 */
@AdminController('clients')
export class ClientsController {
  constructor(private readonly lifecycle: ClientLifecycleService) {}

  @Get()
  @NoStore()
  list(): Promise<ClientView[]> {
    return this.lifecycle.list();
  }

  @Get(':id')
  @NoStore()
  show(@Param('id') clientId: string): Promise<ClientView> {
    return adminErrors(() => this.lifecycle.show(checkedId(clientId)));
  }

  @Patch(':id')
  @NoStore()
  update(@Param('id') clientId: string, @Body() body: unknown): Promise<ClientView> {
    return adminErrors(() => this.lifecycle.update(checkedId(clientId), changesFromJson(body)));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @NoStore()
  disable(@Param('id') clientId: string) {
    return adminErrors(() => this.lifecycle.disable(checkedId(clientId)));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @NoStore()
  enable(@Param('id') clientId: string) {
    return adminErrors(() => this.lifecycle.enable(checkedId(clientId)));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @NoStore()
  rotateSecret(@Param('id') clientId: string, @Body() body: unknown) {
    const keepOldFor = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).keep_old_for : undefined;
    if (keepOldFor !== undefined && !Number.isInteger(keepOldFor)) throw OAuthError.invalidRequest('keep_old_for must be an integer number of seconds');
    return adminErrors(() => this.lifecycle.rotateSecret(checkedId(clientId), (keepOldFor as number | undefined) ?? 0));
  }

  @Delete(':id')
  @HttpCode(200)
  @NoStore()
  delete(@Param('id') clientId: string) {
    return adminErrors(() => this.lifecycle.delete(checkedId(clientId)));
  }
}

/** A NUL must not reach PostgreSQL (a query error, i.e. a 500): refused as a bad request. */
function checkedId(clientId: string): string {
  if (CONTROL_CHARACTERS.test(clientId)) throw OAuthError.invalidRequest('client id must not contain control characters');
  return clientId;
}

/** The lifecycle's refusals as JSON errors: unknown client 404, anything else it rejects 400. */
async function adminErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClientNotFoundError) throw new OAuthError('not_found', error.message, 404);
    if (error instanceof ClientAdminError || error instanceof ClientFieldError) throw OAuthError.invalidRequest(error.message);
    throw error;
  }
}
