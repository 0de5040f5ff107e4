import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OAuthServerOptions } from './oauth-server.options';

/**
 * What must be known when the module graph is built, before any factory runs: with forRootAsync,
 * which host DataSource to use (forRoot reads `database.dataSourceName` itself).
 */
export interface OAuthServerModuleExtras {
  dataSourceName?: string;
}

export const {
  ConfigurableModuleClass: ConfigurableOAuthServerModule,
  MODULE_OPTIONS_TOKEN: OAUTH_SERVER_OPTIONS,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OAuthServerOptions>({ moduleName: 'OAuthServer' })
  .setClassMethodName('forRoot')
  .setExtras<OAuthServerModuleExtras>({}, (definition) => definition)
  .build();

export type OAuthServerModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
