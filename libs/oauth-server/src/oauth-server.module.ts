import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AuthorizeModule } from './authorize/authorize.module';
import { ClientsModule } from './clients/clients.module';
import { CommonModule } from './common/common.module';
import { appConfig } from './config/app.config';
import { authorizationConfig } from './config/authorization.config';
import { databaseConfig } from './config/database.config';
import { dpopConfig } from './config/dpop.config';
import { grantsConfig } from './config/grants.config';
import { keysConfig } from './config/keys.config';
import { rateLimitConfig } from './config/rate-limit.config';
import { retentionConfig } from './config/retention.config';
import { runtimeConfig } from './config/runtime.config';
import { RESOLVED_OPTIONS } from './config/settings';
import { tokenConfig } from './config/token.config';
import { CorsModule } from './cors/cors.module';
import { dataSourceModule, DatabaseModule } from './database/database.module';
import { DiscoveryMetadataModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { OAuthModule } from './oauth/oauth.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ReplayModule } from './replay/replay.module';
import { RetentionModule } from './retention/retention.module';
import { RevocationModule } from './revocation/revocation.module';
import { TokenModule } from './token/token.module';
import { ConfigurationError } from './config/configuration-error';
import { ConfigurableOAuthServerModule, OAUTH_SERVER_OPTIONS, OAuthServerModuleAsyncOptions } from './options/oauth-server.module-definition';
import type { OAuthServerOptions } from './options/oauth-server.options';
import { resolveOptions } from './options/resolve-options';

const SETTINGS = [appConfig, tokenConfig, grantsConfig, databaseConfig, authorizationConfig, rateLimitConfig, keysConfig, dpopConfig, retentionConfig, runtimeConfig];

const FEATURES = [
  CommonModule,
  EventsModule,
  DatabaseModule,
  ReplayModule,
  OAuthModule,
  RateLimitModule,
  ClientsModule,
  TokenModule,
  DiscoveryMetadataModule,
  RevocationModule,
  CorsModule,
  IntrospectionModule,
  AuthorizeModule,
  RetentionModule,
];

/**
 * Holds the options and the settings derived from them. Global so that every feature module of
 * the library reads them; what it makes visible are only the library's own namespaced tokens.
 */
@Module({})
class OAuthServerOptionsModule {}

/**
 * The OAuth 2.0 authorization server: `forRoot(options)` or `forRootAsync({ imports, inject,
 * useFactory })` (as @nestjs/jwt's `registerAsync`). Import it once, in the host's root module.
 */
@Module({})
export class OAuthServerModule extends ConfigurableOAuthServerModule {
  static override forRoot(options: OAuthServerOptions): DynamicModule {
    return withFeatures(super.forRoot(options), options.database?.dataSourceName);
  }

  /** `dataSourceName` here, not in the factory's result: which DataSource to use shapes the module graph. */
  static override forRootAsync(options: OAuthServerModuleAsyncOptions): DynamicModule {
    return withFeatures(super.forRootAsync(options), options.dataSourceName);
  }
}

/** The builder's module (the options provider, the host's imports) becomes the global options module. */
function withFeatures(built: DynamicModule, dataSourceName: string | undefined): DynamicModule {
  const resolve = (options: OAuthServerOptions) => {
    const resolved = resolveOptions(options);
    if (resolved.database.dataSourceName !== dataSourceName) {
      throw new ConfigurationError('database.dataSourceName of forRootAsync options must also be given as forRootAsync({ dataSourceName })');
    }
    return resolved;
  };
  const resolved: Provider = { provide: RESOLVED_OPTIONS, inject: [OAUTH_SERVER_OPTIONS], useFactory: resolve };
  const options: DynamicModule = {
    module: OAuthServerOptionsModule,
    global: true,
    imports: built.imports ?? [],
    providers: [...(built.providers ?? []), resolved, ...SETTINGS.map((namespace) => namespace.provider)],
    exports: [OAUTH_SERVER_OPTIONS, RESOLVED_OPTIONS, ...SETTINGS.map((namespace) => namespace.KEY)],
  };
  return { module: OAuthServerModule, imports: [options, dataSourceModule(dataSourceName), ...FEATURES], exports: FEATURES };
}
