const MAX_LENGTH = 2000;
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * Why a string cannot be registered as one of a client's `allowed_cors_origins`, or null when it
 * can. An origin is exactly what a browser sends in `Origin` (RFC 6454 §6.2): scheme://host[:port],
 * lower-case, no default port, no path, no wildcard — compared byte for byte, so it must be
 * registered in that form. `https:` only, but `http:` on loopback (RFC 6749 §3.2: token endpoint
 * requests MUST use TLS; a page served over plain http hands its tokens to the network; loopback
 * as in RFC 8252 §8.3). Used by every path that registers or updates a client.
 */
export function corsOriginProblem(origin: string): string | null {
  if (origin.length > MAX_LENGTH) return `origin longer than ${MAX_LENGTH} characters`;
  if (origin.includes('*')) return `origin "${origin}" must not contain a wildcard`;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `origin "${origin}" is not scheme://host[:port]`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `origin "${origin}" must use https (or http on loopback)`;
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) return `origin "${origin}" must use https; http is only for loopback hosts`;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || origin.includes('@')) {
    return `origin "${origin}" must be scheme://host[:port] only`;
  }
  if (url.pathname !== '/' || origin.endsWith('/')) return `origin "${origin}" must not have a path (not even "/")`;
  if (url.origin !== origin) return `origin "${origin}" must be written exactly as browsers send it: "${url.origin}"`;
  return null;
}

/** Validates and de-duplicates a list of origins; throws `toError(problem)` on the first bad one. */
export function validCorsOrigins(origins: readonly string[], toError: (problem: string) => Error): string[] {
  for (const origin of origins) {
    const problem = corsOriginProblem(origin);
    if (problem) throw toError(problem);
  }
  return [...new Set(origins)];
}

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}
