/** A run as long as our random credentials (43 base64url characters, `randomToken()`) or longer. */
const CREDENTIAL_RUN = /[A-Za-z0-9_-]{43,}/g;
/** Path segments whose next segment is a credential: /admin/login-requests/:challenge. */
const CREDENTIAL_PARENTS = new Set(['login-requests']);

/**
 * The path of a request URL as it may be logged (issue 10 item 8): no query string, the segment
 * after `login-requests` (a login challenge, the login app's bearer of a pending login) replaced by
 * `:challenge` however the path is spelled, and any other credential-sized run redacted too.
 */
export function loggablePath(url: string | undefined): string {
  const raw = url ?? '';
  const query = raw.indexOf('?');
  const segments = (query === -1 ? raw : raw.slice(0, query)).split('/');
  let parent = '';
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] === '') continue;
    const name = decoded(segments[i]).toLowerCase();
    if (CREDENTIAL_PARENTS.has(parent)) segments[i] = ':challenge';
    parent = name;
  }
  return segments.join('/').replace(CREDENTIAL_RUN, '[redacted]');
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
