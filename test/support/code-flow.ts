import { randomBytes } from 'node:crypto';
import { s256Challenge } from 'nest-oauth-server';
import { postAs } from './oauth-requests';
import type { TestApp, TestClient } from './test-app';

export const ADMIN_API_KEY = 'test-admin-key-0123456789-abcdefghijklmnop';
export const LOGIN_URL = 'https://login.example/login';
export const REDIRECT_URI = 'https://app.example/callback';

/** Environment that turns the code flow and the admin API on. */
export const codeFlowEnv = { LOGIN_URL, ADMIN_API_KEY };

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}

/** The steps of the code flow over HTTP, as a client and a login app would take them. */
export class CodeFlow {
  constructor(private readonly t: TestApp) {}

  async createClient(input: Parameters<TestApp['createClient']>[0] = {}): Promise<TestClient> {
    return this.t.createClient({ grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI], ...input });
  }

  authorizeQuery(client: TestClient, challenge: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      state: 'xyz-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
  }

  /** GET /oauth/authorize with a raw query string (so tests can repeat or omit parameters). */
  authorize(query: Record<string, string> | string) {
    const raw = typeof query === 'string' ? query : new URLSearchParams(query).toString();
    return this.t.http().get(`/oauth/authorize?${raw}`).redirects(0);
  }

  async loginChallenge(client: TestClient, challenge: string, extra: Record<string, string> = {}): Promise<string> {
    const res = await this.authorize(this.authorizeQuery(client, challenge, extra)).expect(302);
    const location = new URL(res.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(LOGIN_URL);
    return location.searchParams.get('login_challenge')!;
  }

  admin(method: 'get' | 'post' | 'delete', path: string, key = ADMIN_API_KEY) {
    const req = this.t.http()[method](`/admin${path}`);
    return key === '' ? req : req.set('Authorization', `Bearer ${key}`);
  }

  accept(challenge: string, body: Record<string, unknown> = { subject: 'alice' }) {
    return this.admin('post', `/login-requests/${challenge}/accept`).send(body);
  }

  reject(challenge: string, body: Record<string, unknown> = { error: 'access_denied' }) {
    return this.admin('post', `/login-requests/${challenge}/reject`).send(body);
  }

  /** authorize → accept → the code from the redirect. */
  async code(client: TestClient, challenge: string, subject = 'alice'): Promise<string> {
    const loginChallenge = await this.loginChallenge(client, challenge);
    const res = await this.accept(loginChallenge, { subject }).expect(200);
    return new URL(res.body.redirect_to).searchParams.get('code')!;
  }

  exchange(client: TestClient, code: string, verifier: string, extra: Record<string, string> = {}) {
    return postAs(this.t, '/oauth/token', client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, ...extra });
  }
}
