import type { NextFunction, Request, Response } from 'express';

/**
 * The service serves JSON, one HTML error page (/oauth/authorize) and nothing a browser should run,
 * frame or submit, so one strict policy fits every response (as OWASP's REST guidance suggests):
 * - nosniff: a JSON body (which may echo input) is never sniffed into HTML or script;
 * - CSP `default-src 'none'`: nothing loads; `frame-ancestors 'none'` + X-Frame-Options DENY
 *   (older browsers): no page can be framed for clickjacking (RFC 6749 §10.13); `form-action` and
 *   `base-uri` do not fall back to default-src, so they are closed explicitly.
 */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
} as const;

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set(SECURITY_HEADERS);
  next();
}

/** The same headers as raw header lines, for answers written straight to the socket. */
export const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');
