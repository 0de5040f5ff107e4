import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig, DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory';
import { appConfig, AppConfig } from '../config/app.config';
import { OAUTH_ROUTES } from './oauth-routes.decorator';

/** A route of the OAuth server: how its controller declares it, and the paths the application serves it at. */
export interface OAuthRoute {
  controller: Function;
  requestMethod: RequestMethod;
  /** e.g. `/oauth/token`, whatever prefix the application adds. */
  declared: string;
  /** e.g. `/api/oauth/token` under `setGlobalPrefix('api')`. */
  paths: string[];
}

/**
 * Where the application actually serves the OAuth server's routes: under a host's
 * `setGlobalPrefix()` (and its exclusions), a `RouterModule` path and URI versioning, computed by
 * Nest's own RoutePathFactory from the same metadata the router used, so the metadata document,
 * DPoP `htu` and assertion audiences name the URLs that are served (RFC 8414 §2), and the body
 * capture matches exactly the routes Nest registered. Read after the application is initialized
 * (or from `onModuleInit`): the prefix is set by then.
 */
@Injectable()
export class OAuthRoutePaths {
  private routes?: OAuthRoute[];
  private readonly urls = new Map<string, string>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly modules: ModulesContainer,
    private readonly applicationConfig: ApplicationConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  all(): OAuthRoute[] {
    this.routes ??= this.resolve();
    return this.routes;
  }

  /** The path `declared` (e.g. `/oauth/token`) is served at; undefined when no such route is registered. */
  findPath(requestMethod: RequestMethod, declared: string): string | undefined {
    return this.all().find((candidate) => candidate.requestMethod === requestMethod && candidate.declared === declared)?.paths[0];
  }

  pathOf(requestMethod: RequestMethod, declared: string): string {
    const path = this.findPath(requestMethod, declared);
    if (path === undefined) throw new Error(`no OAuth route ${RequestMethod[requestMethod]} ${declared}`);
    return path;
  }

  /**
   * The absolute URL of a declared route. When the application serves the issuer's path itself (a
   * global or route prefix equal to it, as RFC 8414 §3.1 assumes), the URL is the issuer's origin +
   * the served path; otherwise the issuer is where a reverse proxy publishes the application's root,
   * and the URL is the issuer + the served path (the standalone service behind a path, as before).
   */
  urlOf(requestMethod: RequestMethod, declared: string): string {
    const key = `${requestMethod} ${declared}`;
    let url = this.urls.get(key);
    if (url === undefined) {
      const path = this.pathOf(requestMethod, declared);
      const issuer = new URL(this.app.issuer);
      const issuerPath = issuer.pathname.replace(/\/+$/, '');
      url = path === issuerPath || path.startsWith(`${issuerPath}/`) ? `${issuer.origin}${path}` : `${this.app.issuer}${path}`;
      this.urls.set(key, url);
    }
    return url;
  }

  private resolve(): OAuthRoute[] {
    const factory = new RoutePathFactory(this.applicationConfig);
    const scanner = new MetadataScanner();
    const globalPrefix = this.applicationConfig.getGlobalPrefix();
    const versioningOptions = this.applicationConfig.getVersioning();
    const routes: OAuthRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype;
      if (!controller || !Reflect.getMetadata(OAUTH_ROUTES, controller)) continue;
      const moduleType = wrapper.host?.metatype;
      const modulePath = moduleType ? (Reflect.getMetadata(MODULE_PATH + this.modules.applicationId, moduleType) ?? Reflect.getMetadata(MODULE_PATH, moduleType)) : undefined;
      const controllerVersion = Reflect.getMetadata(VERSION_METADATA, controller) ?? versioningOptions?.defaultVersion;
      for (const ctrlPath of asArray(Reflect.getMetadata(PATH_METADATA, controller) ?? '/')) {
        for (const methodName of scanner.getAllMethodNames(controller.prototype)) {
          const handler = controller.prototype[methodName];
          const requestMethod: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
          const methodPaths = Reflect.getMetadata(PATH_METADATA, handler);
          if (requestMethod === undefined || methodPaths === undefined) continue;
          for (const methodPath of asArray(methodPaths)) {
            const paths = factory.create(
              { ctrlPath, methodPath, modulePath, globalPrefix, versioningOptions, controllerVersion, methodVersion: Reflect.getMetadata(VERSION_METADATA, handler) },
              requestMethod,
            );
            routes.push({ controller, requestMethod, declared: join(ctrlPath, methodPath), paths });
          }
        }
      }
    }
    return routes;
  }
}

function asArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function join(...parts: string[]): string {
  const path = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '')
    .join('/');
  return `/${path}`;
}
