import 'reflect-metadata';
import { ConfigurationError, isSecretVariable, issuerCorrection, loadEnvironment, microserviceTransport } from './environment';

const SECRET = 's'.repeat(40);

function problem(env: NodeJS.ProcessEnv): string {
  try {
    loadEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('loadEnvironment', () => {
  it('PORT=abc: one sentence naming the value', () => {
    expect(problem({ PORT: 'abc' })).toBe('Invalid configuration: PORT must be an integer number (got "abc")');
    expect(problem({ PORT: '70000' })).toBe('Invalid configuration: PORT must not be greater than 65535 (got "70000")');
  });

  it('names every rejected value, but never a secret, and masks a password in a URL', () => {
    const message = problem({ ACCESS_TOKEN_SIGNING_ALG: 'HS256', ADMIN_API_KEY: 'short-secret', DATABASE_URL: 'mysql://u:hunter2@db/x' });
    expect(message).toMatch(/ACCESS_TOKEN_SIGNING_ALG .* \(got "HS256"\)/);
    expect(message).toMatch(/ADMIN_API_KEY must be at least 32 characters .*\(got a value of 12 characters\)/);
    expect(message).toMatch(/DATABASE_URL .*\(got "mysql:\/\/u:\*\*\*@db\/x"\)/);
    expect(message).not.toMatch(/short-secret|hunter2/);
  });

  it('never shows METRICS_TOKEN, and masks a URL password containing "/" or "@" (review M8)', () => {
    const message = problem({ METRICS_TOKEN: 'short secret', DATABASE_URL: 'mysql://u:hun/ter2@db/x', REDIS_URL: 'ftp://:pa@ss@cache' });
    expect(message).toMatch(/METRICS_TOKEN must be at least 32 characters .*\(got a value of 12 characters\)/);
    expect(message).not.toMatch(/short secret|hun|ter2|pa@ss|"pa/);
  });

  it('every secret-like variable is shown by length only, including ones added later', () => {
    for (const name of ['ADMIN_API_KEY', 'MICROSERVICE_SECRET', 'METRICS_TOKEN', 'KEY_ENCRYPTION_KEY', 'KEY_ENCRYPTION_KEY_PREVIOUS', 'SOME_FUTURE_PASSWORD']) {
      expect(isSecretVariable(name)).toBe(true);
    }
    for (const name of ['ACCESS_TOKEN_TTL', 'ACCESS_TOKEN_SIGNING_ALG', 'DATABASE_URL', 'METRICS_PORT']) expect(isSecretVariable(name)).toBe(false);
  });

  describe('ISSUER', () => {
    it('is required in production: NODE_ENV=production or a PostgreSQL DATABASE_URL', () => {
      expect(problem({ NODE_ENV: 'production' })).toMatch(/ISSUER is required in production/);
      expect(problem({ DATABASE_URL: 'postgres://u@db:5432/oauth' })).toMatch(/ISSUER is required in production/);
      expect(loadEnvironment({ NODE_ENV: 'production', ISSUER: 'https://auth.example' }).ISSUER).toBe('https://auth.example');
      expect(loadEnvironment({}).ISSUER).toBeUndefined(); // development on SQLite: http://localhost:$PORT
    });

    it('a trailing slash is corrected, and the correction is said', () => {
      expect(loadEnvironment({ ISSUER: 'https://auth.example/' }).ISSUER).toBe('https://auth.example');
      expect(issuerCorrection({ ISSUER: 'https://auth.example/' })).toBe(
        'ISSUER "https://auth.example/" ends with "/": using "https://auth.example" (issuers are compared as strings, RFC 8414 §2)',
      );
      expect(issuerCorrection({ ISSUER: 'https://auth.example' })).toBeUndefined();
    });

    it('a query or fragment is an error', () => {
      expect(problem({ ISSUER: 'https://auth.example?x=1' })).toMatch(/ISSUER must have no query or fragment .*got "https:\/\/auth.example\?x=1"/);
    });
  });

  describe('microservice transport: each has its own "on" condition', () => {
    it('off when nothing is set', () => {
      expect(microserviceTransport(loadEnvironment({}))).toBeUndefined();
    });

    it('MICROSERVICE_PORT alone: tcp (as before)', () => {
      expect(microserviceTransport(loadEnvironment({ MICROSERVICE_PORT: '3101', MICROSERVICE_SECRET: SECRET }))).toBe('tcp');
    });

    it('nats needs NATS_URL, not a port; redis needs REDIS_URL; tcp needs a port', () => {
      expect(microserviceTransport(loadEnvironment({ MICROSERVICE_TRANSPORT: 'nats', NATS_URL: 'nats://127.0.0.1:4222', MICROSERVICE_SECRET: SECRET }))).toBe('nats');
      expect(problem({ MICROSERVICE_TRANSPORT: 'nats', MICROSERVICE_SECRET: SECRET })).toMatch(/MICROSERVICE_TRANSPORT=nats needs NATS_URL/);
      expect(problem({ MICROSERVICE_TRANSPORT: 'redis', MICROSERVICE_SECRET: SECRET })).toMatch(/MICROSERVICE_TRANSPORT=redis needs REDIS_URL/);
      expect(problem({ MICROSERVICE_TRANSPORT: 'tcp', MICROSERVICE_SECRET: SECRET })).toMatch(/MICROSERVICE_TRANSPORT=tcp needs MICROSERVICE_PORT/);
    });

    it('every transport needs the shared secret', () => {
      expect(problem({ MICROSERVICE_TRANSPORT: 'nats', NATS_URL: 'nats://127.0.0.1:4222' })).toMatch(/MICROSERVICE_SECRET .* is required when the microservice transport is on/);
    });

    it('queue group and subject prefix are configurable and validated', () => {
      const env = loadEnvironment({ MICROSERVICE_NATS_QUEUE: 'auth-eu', MICROSERVICE_SUBJECT_PREFIX: 'auth.eu' });
      expect([env.MICROSERVICE_NATS_QUEUE, env.MICROSERVICE_SUBJECT_PREFIX]).toEqual(['auth-eu', 'auth.eu']);
      expect(loadEnvironment({}).MICROSERVICE_NATS_QUEUE).toBe('oauth-token-service');
      expect(problem({ MICROSERVICE_SUBJECT_PREFIX: 'a b' })).toMatch(/MICROSERVICE_SUBJECT_PREFIX .*\(got "a b"\)/);
    });
  });

  describe('DPoP (RFC 9449)', () => {
    it('accepts asymmetric algorithms only: HS256 and none are configuration errors', () => {
      expect(loadEnvironment({}).DPOP_SIGNING_ALGS).toBe('ES256,EdDSA,RS256,PS256');
      expect(loadEnvironment({ DPOP_SIGNING_ALGS: 'ES256, PS384' }).DPOP_SIGNING_ALGS).toBe('ES256, PS384');
      expect(problem({ DPOP_SIGNING_ALGS: 'ES256,HS256' })).toMatch(/DPOP_SIGNING_ALGS .*\(got "ES256,HS256"\)/);
      expect(problem({ DPOP_SIGNING_ALGS: 'none' })).toMatch(/DPOP_SIGNING_ALGS/);
    });

    it('bounds the proof age and the nonce switch', () => {
      expect(problem({ DPOP_PROOF_MAX_AGE: '0' })).toMatch(/DPOP_PROOF_MAX_AGE/);
      expect(problem({ DPOP_NONCE_REQUIRED: 'yes' })).toMatch(/DPOP_NONCE_REQUIRED/);
    });
  });
});
