import { Injectable } from '@nestjs/common';
import { LoginRequestsService } from './login-requests.service';

/** What a login page shows about a pending login request. */
export interface LoginDetails {
  clientId: string;
  clientName: string;
  /** The scope the client asked for (already within its registration, RFC 6749 §3.3). */
  requestedScope: string;
  redirectUri: string;
  /** Epoch milliseconds after which the challenge is gone. */
  expiresAt: number;
}

export interface AcceptLoginInput {
  /** The authenticated user: becomes `sub` of the tokens (non-empty, printable, ≤ 255 characters). */
  subject: string;
  /** Narrows the requested scope (what the user consented to); omitted grants all of it. */
  scope?: string;
}

export interface RejectLoginInput {
  /** RFC 6749 §4.1.2.1: `access_denied` (default), `temporarily_unavailable` or `server_error`. */
  error?: 'access_denied' | 'temporarily_unavailable' | 'server_error';
  /** Printable ASCII without `"` or `\`, 1-500 characters. */
  errorDescription?: string;
}

/**
 * In-process login for the code flow (nest-oidc-provider's interaction pattern): the authorize
 * endpoint sends the browser to the host's login page with `?login_challenge=`; the page reads the
 * request with `details`, authenticates the user its own way, then calls `accept` or `reject` and
 * redirects the browser to `redirectTo` (the client's redirect URI with the code, or the error,
 * plus `state` and `iss`, RFC 9207). Each challenge is handled once. The same rules as the admin
 * API's login-request routes, which an external login app calls instead.
 */
@Injectable()
export class LoginInteractions {
  constructor(private readonly requests: LoginRequestsService) {}

  async details(challenge: string): Promise<LoginDetails> {
    const view = await this.requests.get(challenge);
    return { clientId: view.client_id, clientName: view.client_name, requestedScope: view.requested_scope, redirectUri: view.redirect_uri, expiresAt: view.expires_at * 1000 };
  }

  async accept(challenge: string, input: AcceptLoginInput): Promise<{ redirectTo: string }> {
    const { redirect_to } = await this.requests.accept(challenge, { subject: input.subject, scope: input.scope });
    return { redirectTo: redirect_to };
  }

  async reject(challenge: string, input: RejectLoginInput = {}): Promise<{ redirectTo: string }> {
    const { redirect_to } = await this.requests.reject(challenge, { error: input.error ?? 'access_denied', error_description: input.errorDescription });
    return { redirectTo: redirect_to };
  }
}
