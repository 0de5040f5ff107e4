/**
 * The redirect back to the client (RFC 6749 §4.1.2 / §4.1.2.1): parameters are added to the
 * registered redirect URI's query, whose own query component is kept (§3.1.2). `iss` lets the
 * client detect mix-up attacks (RFC 9207, RFC 9700 §4.4.2).
 */
export function authorizationResponseUrl(redirectUri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    // RFC 6749 §4.1.2.1: error_description MUST NOT include characters outside NQSCHAR. Callers
    // only pass fixed or validated texts; anything else is dropped rather than sent.
    if (name === 'error_description' && !NQSCHARS.test(value)) continue;
    url.searchParams.append(name, value);
  }
  return url.toString();
}

/** RFC 6749 §4.1.2.1 error_description: %x20-21 / %x23-5B / %x5D-7E. */
export const NQSCHARS = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;
