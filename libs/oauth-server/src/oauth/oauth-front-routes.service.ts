import { Inject, Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { appConfig, AppConfig } from '../config/app.config';
import { OAuthRoutePaths } from './oauth-route-paths.service';
import { captureBody, REQUEST_BODY } from './request-body';

const BODY_METHODS: ReadonlyMap<RequestMethod, 'post' | 'put' | 'patch'> = new Map([
  [RequestMethod.POST, 'post'],
  [RequestMethod.PUT, 'put'],
  [RequestMethod.PATCH, 'patch'],
]);

/** RFC 8414 §3: the well-known URI suffix of the metadata document. */
export const METADATA_SUFFIX = '/.well-known/oauth-authorization-server';

interface RouterMatching {
  caseSensitive?: boolean;
  strict?: boolean;
}

/**
 * The few things the OAuth server must do ahead of a host application's middleware (issue 14), in
 * one router placed in front of it when the HTTP adapter is attached (before `app.init()` registers
 * Nest's body parsers). It holds only routes of the OAuth server, at the paths Nest serves them
 * (prefix included) and with the application router's case and trailing-slash rules; every other
 * request passes straight through.
 *
 * - Body capture: Nest's default parsers (JSON, and urlencoded through `qs`, which folds repeated
 *   parameters into arrays and reads `a[b]=c` as objects) consume the stream before any route, after
 *   which the strict form parsing of RFC 6749 §3.2 has nothing left to check. So the body-carrying
 *   routes have their raw bytes read here (bounded); the parsers then see a finished stream and
 *   leave it. Parsing stays in the routes' guards, after the rate limit and admin key checks.
 * - RFC 8414 §3.1: for an issuer with a path, the metadata is served at the well-known suffix
 *   followed by that path, outside any global prefix: that request is handed to the metadata
 *   route itself (its headers, filter and errors).
 */
@Injectable()
export class OAuthFrontRoutes implements OnModuleInit {
  private readonly router: Router = express.Router();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly paths: OAuthRoutePaths,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {
    // Providers are created before the adapter is attached (tests) or after (NestFactory.create);
    // init$ replays, and both come before init() registers the body parsers.
    this.adapterHost.init$.subscribe(() => {
      const adapter = this.adapterHost.httpAdapter;
      if (adapter?.getType() !== 'express') return;
      // Not OPTIONS: an Express router answers it by itself for any path it knows (CORS preflights
      // are the OAuth server's own routes, behind).
      adapter.use((req: Request, res: Response, next: NextFunction) => (req.method === 'OPTIONS' ? next() : this.router(req, res, next)));
    });
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    // Matching as on the application router (configureApp may have made it case-sensitive and
    // strict): whatever reaches an OAuth handler went through here.
    const appRouter = (adapter.getInstance() as { router: RouterMatching }).router;
    Object.assign(this.router as unknown as RouterMatching, { caseSensitive: appRouter.caseSensitive, strict: appRouter.strict });
    for (const route of this.paths.all()) {
      const method = BODY_METHODS.get(route.requestMethod);
      if (method === undefined || !Reflect.getMetadata(REQUEST_BODY, route.controller)) continue;
      for (const path of route.paths) this.router[method](path, captureBody);
    }
    const issuerPath = new URL(this.app.issuer).pathname.replace(/\/+$/, '');
    const metadataPath = this.paths.findPath(RequestMethod.GET, METADATA_SUFFIX);
    const alias = `${METADATA_SUFFIX}${issuerPath}`;
    if (metadataPath !== undefined && issuerPath !== '' && alias !== metadataPath) {
      this.router.get(alias, (req: Request, _res: Response, next: NextFunction) => {
        const query = req.url.indexOf('?');
        req.url = query === -1 ? metadataPath : `${metadataPath}${req.url.slice(query)}`;
        next();
      });
    }
  }
}
