import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { answerHttpClientErrors, OAuthExceptionFilter, securityHeaders } from 'nest-oauth-server';
import { appConfig, AppConfig } from './config/app.config';
import { applyHttpServerLimits } from './lifecycle/http-server-limits';

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
  strictRouting(express);
  // Before every route and middleware, so that 404s and errors carry them too.
  express.use(securityHeaders);
  // Service policy: every answer of this service is JSON in the RFC 6749 §5.2 shape, 404s and
  // errors outside the OAuth routes included (the library binds the filter only to its own routes).
  app.useGlobalFilters(app.get(OAuthExceptionFilter));
  const config = app.get<AppConfig>(appConfig.KEY);
  // Which proxies may tell us the client's address (per-IP rate limits, logs): TRUST_PROXY.
  express.set('trust proxy', config.trustProxy);
  answerHttpClientErrors(app.getHttpServer());
  applyHttpServerLimits(app.getHttpServer(), config.httpLimits);
  return app;
}

/**
 * Issue 10 item 3: one spelling per route. `/OAUTH/token` and `/oauth/token/` answer 404 instead of
 * reaching a handler under another name. Express 5 reads `case sensitive routing` and `strict
 * routing` once, when it creates its router, and Nest's ExpressAdapter has already created it (its
 * constructor adds a middleware), so the settings alone would do nothing: the router's own options
 * are set too. They apply to every route and middleware registered after this, i.e. all of Nest's,
 * which init() registers; test/route-spelling.e2e-spec.ts pins that they take effect.
 */
function strictRouting(express: NestExpressApplication): void {
  express.set('case sensitive routing', true);
  express.set('strict routing', true);
  const router = (express.getHttpAdapter().getInstance() as { router: { caseSensitive?: boolean; strict?: boolean; stack: { route?: unknown }[] } }).router;
  // Routes registered earlier would keep the lenient matching: refuse rather than half-apply.
  if (router.stack.some((layer) => layer.route !== undefined)) throw new Error('configureApp() must run before app.init()');
  router.caseSensitive = true;
  router.strict = true;
}
