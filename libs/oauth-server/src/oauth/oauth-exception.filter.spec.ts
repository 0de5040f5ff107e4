import { ArgumentsHost, Logger } from '@nestjs/common';
import { OAuthError } from './oauth-error';
import { OAuthExceptionFilter } from './oauth-exception.filter';

function httpHost() {
  const headers: Record<string, string> = {};
  const sent: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    set(values: Record<string, string>) {
      for (const [name, value] of Object.entries(values)) headers[name.toLowerCase()] = value;
      return this;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const req = { method: 'POST', path: '/oauth/token' };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }) } as unknown as ArgumentsHost;
  return { host, headers, sent };
}

describe('OAuthExceptionFilter: description to the client, debug text to the logs only', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs the debug text and never sends it', () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const { host, headers, sent } = httpHost();
    new OAuthExceptionFilter().catch(OAuthError.invalidGrant('family f-42 revoked (reuse_detected)'), host);
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({ error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired or revoked' });
    expect(JSON.stringify({ body: sent.body, headers })).not.toContain('f-42');
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('family f-42 revoked (reuse_detected)'));
    expect(headers['cache-control']).toBe('no-store');
    expect(headers.pragma).toBe('no-cache');
  });

  it('withDebug adds a private reason to any error without changing what the client sees', () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const { host, sent } = httpHost();
    const error = OAuthError.invalidScope('The requested scope exceeds the scope registered for the client', 'first').withDebug('tenant quota 0');
    new OAuthExceptionFilter().catch(error, host);
    expect(sent.body).toEqual({ error: 'invalid_scope', error_description: 'The requested scope exceeds the scope registered for the client' });
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('first; tenant quota 0'));
  });

  it('serverError keeps its reason private too, and logs it as an error', () => {
    const debug = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host, sent } = httpHost();
    new OAuthExceptionFilter().catch(OAuthError.serverError('handler bug: token db row 99'), host);
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('row 99');
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('row 99'));
  });
});
