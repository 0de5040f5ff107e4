import pino from 'pino';
import { Writable } from 'node:stream';
import { pinoHttpOptions, SECRET_FIELDS } from './pino-http-options';

describe('pinoHttpOptions', () => {
  function capture(level = 'log') {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const options = pinoHttpOptions(level);
    const logger = pino({ level: options.level, redact: options.redact as pino.redactOptions }, stream);
    return { logger, output: () => lines.join('') };
  }

  it.each(SECRET_FIELDS)('redacts "%s" at the top level and nested one or two levels deep', (field) => {
    const { logger, output } = capture();
    logger.info({ [field]: 'SECRET-A', body: { [field]: 'SECRET-B' }, req: { headers: { [field]: 'SECRET-C' } } }, 'msg');
    expect(output()).not.toMatch(/SECRET-/);
    expect(output()).toContain('[redacted]');
  });

  it.each([
    ['fatal', 'fatal'],
    ['warn', 'warn'],
    ['log', 'info'],
    ['verbose', 'trace'],
  ])('maps LOG_LEVEL %s to pino level %s', (nest, pinoLevel) => {
    expect(pinoHttpOptions(nest).level).toBe(pinoLevel);
  });

  it('serializes a request as method and path only: no query string, no headers', () => {
    const serialize = (pinoHttpOptions('log').serializers as Record<string, (value: unknown) => unknown>).req;
    expect(serialize({ method: 'GET', url: '/x?refresh_token=abc', headers: { authorization: 'Basic abc' } })).toEqual({ method: 'GET', path: '/x' });
  });

  it.each([
    ['/health/live', true],
    ['/health/ready?x=1', true],
    ['/metrics', true],
    ['/health/live/../../oauth/token', false],
    ['/healthz', false],
    ['/metrics-and-more', false],
    ['/HEALTH/live', false],
  ])('keeps only the exact probe paths out of the access log: %s quiet=%s', (url, quiet) => {
    const ignore = (pinoHttpOptions('log').autoLogging as { ignore: (req: { url: string }) => boolean }).ignore;
    expect(ignore({ url })).toBe(quiet);
  });
});
