import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { securityHeaders } from './common/security-headers';
import { appConfig, AppConfig } from './config/app.config';
import { applyHttpServerLimits } from './lifecycle/http-server-limits';
import { answerHttpClientErrors } from './oauth/http-client-error';

/**
 * Settings that live on the application rather than in a module; shared by main.ts and the e2e
 * tests so both serve the same HTTP surface (HTTP timeouts and connection cap included). Create the app with `{ bodyParser: false }`: each
 * endpoint family parses its own bodies (strict forms under /oauth). Signals are handled by
 * main.ts (see lifecycle/graceful-shutdown.ts), not by `enableShutdownHooks()`.
 */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('query parser', 'simple');
  // Before every route and middleware, so that 404s and errors carry them too.
  express.use(securityHeaders);
  const config = app.get<AppConfig>(appConfig.KEY);
  // Which proxies may tell us the client's address (per-IP rate limits, logs): TRUST_PROXY.
  express.set('trust proxy', config.trustProxy);
  answerHttpClientErrors(app.getHttpServer());
  applyHttpServerLimits(app.getHttpServer(), config.httpLimits);
  return app;
}
