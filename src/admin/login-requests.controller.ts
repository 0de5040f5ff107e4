import { Body, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { CONTROL_CHARACTERS, LOGIN_REJECT_ERRORS, LoginRequestsService, LoginRequestView, OAuthError } from 'nest-oauth-server';
import { AdminController } from './admin-controller.decorator';

// RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
const ERROR_DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,500}$/;

/** The login application's API: read a login request, then accept (with a subject) or reject it. */
@AdminController('login-requests')
export class LoginRequestsController {
  constructor(private readonly loginRequests: LoginRequestsService) {}

  @Get(':challenge')
  @Header('Cache-Control', 'no-store')
  get(@Param('challenge') challenge: string): Promise<LoginRequestView> {
    return this.loginRequests.get(challenge);
  }

  @Post(':challenge/accept')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  accept(@Param('challenge') challenge: string, @Body() body: unknown): Promise<{ redirect_to: string }> {
    const input = asObject(body);
    const subject = input.subject;
    if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 255 || CONTROL_CHARACTERS.test(subject)) {
      throw OAuthError.invalidRequest('subject must be a non-empty string of at most 255 characters');
    }
    if (input.scope !== undefined && typeof input.scope !== 'string') throw OAuthError.invalidRequest('scope must be a string');
    return this.loginRequests.accept(challenge, { subject, scope: input.scope as string | undefined });
  }

  @Post(':challenge/reject')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  reject(@Param('challenge') challenge: string, @Body() body: unknown): Promise<{ redirect_to: string }> {
    const input = asObject(body);
    if (typeof input.error !== 'string' || !LOGIN_REJECT_ERRORS.includes(input.error)) {
      throw OAuthError.invalidRequest(`error must be one of ${LOGIN_REJECT_ERRORS.join(', ')}`);
    }
    const description = input.error_description;
    if (description !== undefined && (typeof description !== 'string' || !ERROR_DESCRIPTION.test(description))) {
      throw OAuthError.invalidRequest('error_description must be 1-500 printable ASCII characters without " or \\');
    }
    return this.loginRequests.reject(challenge, { error: input.error, error_description: description as string | undefined });
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw OAuthError.invalidRequest('The body must be a JSON object');
  return body as Record<string, unknown>;
}
