import { Body, Get, HttpCode, Param, Post } from '@nestjs/common';
import { LoginRequestsService, LoginRequestView, NoStore, OAuthError } from 'nest-oauth-server';
import { AdminController } from './admin-controller.decorator';

/** The login application's API: read a login request, then accept (with a subject) or reject it. */
@AdminController('login-requests')
export class LoginRequestsController {
  constructor(private readonly loginRequests: LoginRequestsService) {}

  @Get(':challenge')
  @NoStore()
  get(@Param('challenge') challenge: string): Promise<LoginRequestView> {
    return this.loginRequests.get(challenge);
  }

  @Post(':challenge/accept')
  @HttpCode(200)
  @NoStore()
  accept(@Param('challenge') challenge: string, @Body() body: unknown): Promise<{ redirect_to: string }> {
    const input = asObject(body);
    if (input.scope !== undefined && typeof input.scope !== 'string') throw OAuthError.invalidRequest('scope must be a string');
    // The subject and rejection rules live in LoginRequestsService, shared with in-process login.
    return this.loginRequests.accept(challenge, { subject: input.subject as string, scope: input.scope as string | undefined });
  }

  @Post(':challenge/reject')
  @HttpCode(200)
  @NoStore()
  reject(@Param('challenge') challenge: string, @Body() body: unknown): Promise<{ redirect_to: string }> {
    const input = asObject(body);
    return this.loginRequests.reject(challenge, { error: input.error as string, error_description: input.error_description as string | undefined });
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw OAuthError.invalidRequest('The body must be a JSON object');
  return body as Record<string, unknown>;
}
