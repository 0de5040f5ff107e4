/**
 * A URL as it may be shown in a log or an error line: any password replaced by `***`.
 *
 * WHATWG URL parsing (new URL()) finds the userinfo the way clients do, including a password with
 * "@" (the last "@" of the authority ends it). Where the string does not parse, or an "@" is still
 * left after the host (e.g. `postgres://u:12/ab@db` parses as host `u`, port 12, path `/ab@db`), the
 * whole authority up to the last "@" is masked instead: better an over-masked line than a leaked
 * fragment of a secret.
 */
export function maskUrlCredentials(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  // No "@": no userinfo, nothing to mask; shown as written (not normalised by the URL parser).
  if (!scheme || !value.includes('@', scheme[0].length)) return value;
  try {
    const url = new URL(value);
    const afterHost = `${url.pathname}${url.search}${url.hash}`;
    if (!afterHost.includes('@') && !decodeURIComponentSafe(afterHost).includes('@')) {
      if (url.password) url.password = '***';
      return url.toString();
    }
  } catch {
    // not a URL a client would accept: masked conservatively below
  }
  return `${scheme[0]}***${value.slice(value.lastIndexOf('@'))}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
