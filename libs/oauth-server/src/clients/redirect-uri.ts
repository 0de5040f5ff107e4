import { hasControlCharacters } from '../common/control-characters';

// Schemes that would run or read content in the user agent instead of reaching a client.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);
const MAX_LENGTH = 2000;

/**
 * Why a redirect URI cannot be registered, or null when it can. RFC 6749 §3.1.2: it MUST be an
 * absolute URI and MUST NOT include a fragment. Private-use schemes (RFC 8252 §7.1) are allowed.
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > MAX_LENGTH) return `redirect URI longer than ${MAX_LENGTH} characters`;
  if (/\s/.test(uri) || hasControlCharacters(uri)) return 'redirect URI contains whitespace or control characters';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `redirect URI "${uri}" is not an absolute URI`;
  }
  if (uri.includes('#')) return `redirect URI "${uri}" must not contain a fragment`;
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `redirect URI scheme ${url.protocol} is not allowed`;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '') return `redirect URI "${uri}" has no host`;
  return null;
}
