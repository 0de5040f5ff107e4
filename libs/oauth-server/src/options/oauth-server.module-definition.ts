import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OAuthServerOptions } from './oauth-server.options';

export const { ConfigurableModuleClass: ConfigurableOAuthServerModule, MODULE_OPTIONS_TOKEN: OAUTH_SERVER_OPTIONS } =
  new ConfigurableModuleBuilder<OAuthServerOptions>({ moduleName: 'OAuthServer' }).setClassMethodName('forRoot').build();
