import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { hasBody, OAuthError, rawBody } from 'nest-oauth-server';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies for /admin, parsed here and nowhere else. Bound to the admin controllers by
 * `@AdminController()`, after `AdminApiKeyGuard`: only requests carrying the admin key are parsed
 * at all, and no spelling of a path reaches an admin handler without this parser and its size limit
 * (issue 10 item 3: no path-prefix decisions) — also inside a host whose own JSON and form parsers
 * are on (issue 14: the bytes are captured before them). Bad bodies are 4xx JSON errors. A request
 * without a body (no Transfer-Encoding, Content-Length absent or 0) is read as `{}`, whatever its
 * Content-Type: the actions whose body is optional (disable, enable, rotate-secret, rotate a
 * signing key) work with a plain `curl -X POST`; a route that needs members still says which.
 */
@Injectable()
export class AdminJsonGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return true;
    if (!hasBody(req)) {
      req.body = {};
      return true;
    }
    const [mediaType, ...parameters] = (req.headers['content-type'] ?? '').split(';').map((part) => part.trim().toLowerCase());
    if (mediaType !== 'application/json') throw new OAuthError('invalid_request', 'Content-Type must be application/json', 415);
    const charset = parameters.find((parameter) => parameter.startsWith('charset='));
    if (charset && !['charset=utf-8', 'charset="utf-8"'].includes(charset)) throw new OAuthError('invalid_request', 'Only the UTF-8 charset is accepted', 415);
    req.body = parseJson(await rawBody(req, http.getResponse<Response>()));
    return true;
  }
}

/** As express.json's `strict` mode: an object or an array, in UTF-8. */
function parseJson(body: Buffer): unknown {
  try {
    const text = utf8.decode(body);
    if (!/^[\s]*[{[]/.test(text)) throw new SyntaxError('not an object or array');
    return JSON.parse(text);
  } catch {
    throw OAuthError.invalidRequest('The body is not valid JSON');
  }
}
