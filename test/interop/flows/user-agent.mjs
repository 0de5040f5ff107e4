// The user agent and the login app of a code flow, for the interop flows: follows the authorization
// redirect to the login challenge and accepts it over the admin API, returning the callback URL.
// Everything else in the flows is the library's own HTTP.
export async function signIn(authorizationUrl, { issuer, adminApiKey, subject = 'alice' }) {
  const toLogin = await fetch(authorizationUrl, { redirect: 'manual' });
  const loginChallenge = new URL(toLogin.headers.get('location')).searchParams.get('login_challenge');
  const accepted = await fetch(`${issuer}/admin/login-requests/${loginChallenge}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject }),
  });
  return new URL((await accepted.json()).redirect_to);
}

/**
 * What a flow reports about a refused request: the error class and the RFC 6749 §5.2 code. A 401
 * reaches oauth4webapi/openid-client users as WWWAuthenticateChallengeError; the code is then in
 * the body of `error.response` (the Basic challenge carries no `error` parameter).
 */
export async function describeError(error) {
  const body = error?.response && typeof error.response.json === 'function' ? await error.response.json().catch(() => ({})) : {};
  return {
    name: error?.constructor?.name,
    status: error?.status ?? error?.response?.status ?? error?.output?.statusCode ?? error?.httpCode,
    error: error?.error ?? body.error ?? error?.data?.payload?.error ?? error?.oauth2Code,
  };
}

export async function refused(promise) {
  try {
    await promise;
    return { name: 'no error' };
  } catch (error) {
    return describeError(error);
  }
}

export function print(result) {
  process.stdout.write(JSON.stringify(result));
}
