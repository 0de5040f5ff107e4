import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { OAuthServerModule } from 'nest-oauth-server';
import { oauthServerOptions } from './oauth-server-options';

/**
 * The token service, configured once from the environment. Feature modules that inject its
 * services (RefreshTokenFamilies, LoginInteractions) import this module, which re-exports the
 * configured OAuthServerModule: one instance, however many importers.
 */
@Module({
  imports: [
    OAuthServerModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => oauthServerOptions(config),
    }),
  ],
  exports: [OAuthServerModule],
})
export class AuthServerModule {}
