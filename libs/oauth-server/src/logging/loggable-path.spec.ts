import { randomToken } from '../common/secure-random';
import { loggablePath } from './loggable-path';

describe('loggablePath', () => {
  const challenge = randomToken(32);

  it.each([
    [`/admin/login-requests/${challenge}`, '/admin/login-requests/:challenge'],
    [`/admin/login-requests/${challenge}/accept`, '/admin/login-requests/:challenge/accept'],
    [`/admin/login-requests/${challenge}/reject?x=1`, '/admin/login-requests/:challenge/reject'],
    [`/ADMIN/Login-Requests/${challenge}`, '/ADMIN/Login-Requests/:challenge'],
    [`//admin//login-requests//${challenge}`, '//admin//login-requests//:challenge'],
    [`/admin/login%2Drequests/${challenge}`, '/admin/login%2Drequests/:challenge'],
    [`/anything/${challenge}`, '/anything/[redacted]'],
    ['/oauth/token?refresh_token=abc', '/oauth/token'],
    ['/health/live', '/health/live'],
  ])('%s → %s', (url, expected) => {
    expect(loggablePath(url)).toBe(expected);
    expect(loggablePath(url)).not.toContain(challenge);
  });
});
