import { Module } from '@nestjs/common';
import { OAuthServerModule } from 'nest-oauth-server';
import { AdminModule } from './admin/admin.module';
import type { Environment } from './config/environment';
import { EnvironmentModule } from './config/environment.module';
import { ENVIRONMENT } from './config/environment-settings';
import { oauthServerOptions } from './config/oauth-server-options';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { MicroserviceModule } from './microservice/microservice.module';

/** The standalone service: the library configured from the environment, and what only a server has. */
@Module({
  imports: [
    EnvironmentModule,
    OAuthServerModule.forRootAsync({ inject: [ENVIRONMENT], useFactory: (env: Environment) => oauthServerOptions(env) }),
    MicroserviceModule,
    AdminModule,
    HealthModule,
    MetricsModule,
  ],
})
export class AppModule {}
