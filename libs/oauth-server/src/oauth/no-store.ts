import { applyDecorators, Header } from '@nestjs/common';

/**
 * RFC 6749 §5.1 (and §5.2 for errors): responses carrying tokens, credentials or their errors MUST
 * carry `Cache-Control: no-store` and `Pragma: no-cache`. The one definition of those headers;
 * every way of writing a response (Express, a decorator, a raw socket) takes them from here.
 */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

/** The same headers as raw HTTP/1.1 header lines, for answers written straight to a socket. */
export const NO_STORE_HEADER_LINES = Object.entries(NO_STORE_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

export function setNoStore(res: { setHeader(name: string, value: string): unknown }): void {
  for (const [name, value] of Object.entries(NO_STORE_HEADERS)) res.setHeader(name, value);
}

/** A route whose every answer is never cached (admin views, login requests, secrets shown once). */
export function NoStore(): MethodDecorator {
  return applyDecorators(...Object.entries(NO_STORE_HEADERS).map(([name, value]) => Header(name, value)));
}
