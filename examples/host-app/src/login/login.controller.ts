import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { LoginInteractions, OAuthError } from 'nest-oauth-server';
import { errorPage, loginPage } from './login-page';

const USERNAME = /^[\w.@+-]{1,64}$/;

/**
 * The application's own sign-in page for the code flow (`/api/login`), served in-process: the
 * authorization endpoint sends the browser here with `?login_challenge=`, and this page accepts or
 * rejects the challenge through LoginInteractions. It has no user store (any well-formed username
 * is accepted); a real one authenticates the user and protects the form against CSRF.
 */
@Controller('login')
export class LoginController {
  constructor(private readonly interactions: LoginInteractions) {}

  @Get()
  async show(@Query('login_challenge') challenge: unknown, @Res() res: Response): Promise<void> {
    pageHeaders(res);
    try {
      const request = await this.interactions.details(String(challenge ?? ''));
      res.type('html').send(loginPage(String(challenge), request.clientName || request.clientId, request.requestedScope));
    } catch (error) {
      failed(res, error);
    }
  }

  @Post()
  async submit(@Body() body: Record<string, unknown> | undefined, @Res() res: Response): Promise<void> {
    pageHeaders(res);
    const challenge = String(body?.login_challenge ?? '');
    const username = String(body?.username ?? '').trim();
    try {
      if (body?.action !== 'deny' && !USERNAME.test(username)) {
        const request = await this.interactions.details(challenge);
        res.status(400).type('html').send(loginPage(challenge, request.clientName || request.clientId, request.requestedScope, 'Enter a username (letters, digits, . _ @ + -).'));
        return;
      }
      const { redirectTo } =
        body?.action === 'deny'
          ? await this.interactions.reject(challenge, { error: 'access_denied' })
          : await this.interactions.accept(challenge, { subject: username });
      // 303: the browser follows with a GET to the client's redirect URI, carrying the code.
      res.redirect(303, redirectTo);
    } catch (error) {
      failed(res, error);
    }
  }
}

function pageHeaders(res: Response): void {
  res.set({
    'Cache-Control': 'no-store',
    // No framing of a login form (clickjacking); inline styles only.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  });
}

/** An unknown, expired or already handled challenge is the user's dead end, not a server error. */
function failed(res: Response, error: unknown): void {
  if (!(error instanceof OAuthError)) throw error;
  res.status(error.status).type('html').send(errorPage(error.description ?? 'The sign-in request is not valid.'));
}
