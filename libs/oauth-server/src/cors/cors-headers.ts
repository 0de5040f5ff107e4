import type { Response } from 'express';

/**
 * What a browser may send to the token and revocation endpoints (Fetch standard, CORS protocol).
 * DPoP (RFC 9449 §4.1) is allowed so browser libraries that add it pass the preflight.
 */
export const CORS_ALLOWED_METHODS = 'POST';
export const CORS_ALLOWED_HEADERS = 'Authorization, Content-Type, DPoP';
/** Headers a page needs to read from our answers: the auth challenge and the rate-limit hint. */
// DPoP-Nonce: a browser client must read the nonce to retry (RFC 9449 §8).
export const CORS_EXPOSED_HEADERS = 'WWW-Authenticate, Retry-After, DPoP-Nonce';
/** Seconds a browser may cache a preflight answer (Chromium caps at 7200, Firefox at 86400). */
export const CORS_PREFLIGHT_MAX_AGE = 600;

/**
 * The answer is for this origin only. No Access-Control-Allow-Credentials: OAuth requests carry
 * their credentials in the body or Authorization header, never in cookies.
 */
export function allowOrigin(res: Response, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
}

/** Takes back what `allowOrigin` set: the origin turned out not to be the client's. */
export function withdrawOrigin(res: Response): void {
  res.removeHeader('Access-Control-Allow-Origin');
  res.removeHeader('Access-Control-Expose-Headers');
}

/** Answers differ by Origin: caches must key on it (Fetch standard §3.2.5 "CORS protocol and HTTP caches"). */
export function varyOnOrigin(res: Response): void {
  res.vary('Origin');
}

/** Public documents anyone may read (metadata, JWKS). */
export function allowAnyOrigin(res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
}
