import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { loggablePath } from 'nest-oauth-server';

/** Names that carry credentials anywhere they appear (RFC 6749 §2.3.1, §4.1.3, §6; RFC 7636; RFC 7009). */
export const SECRET_FIELDS = ['refresh_token', 'access_token', 'client_secret', 'code', 'code_verifier', 'token', 'password', 'authorization', 'cookie'];

const LEVELS: Record<string, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
// Probes and scrapes, by exact path (routing is strict and case-sensitive): a prefix such as
// '/health/' would also hide every request to `/health/<anything>` from the access log.
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * One JSON line per request and per application log record, carrying the request id.
 *
 * Secrets stay out by construction: requests are serialized as id, method and *path* (no query
 * string, no headers, no body, login challenges in the path replaced: `loggablePath`), responses as
 * the status code. Redaction of the credential field
 * names is a second line of defence for objects handed to the logger by application code.
 * Cheap on the hot path: no header copying, fixed small serializers, `quietReqLogger`.
 */
export function pinoHttpOptions(logLevel: string): Options {
  return {
    level: LEVELS[logLevel] ?? 'info',
    genReqId: requestId,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id' },
    autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?', 1)[0]) },
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, path: loggablePath(req.url) }),
      res: (res: ServerResponse) => ({ status_code: res.statusCode }),
    },
    redact: { paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]), censor: '[redacted]' },
  };
}

/** Keeps a caller's X-Request-Id when it is a plain token (so traces join up), else makes one. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
