import { DynamicModule, Module } from '@nestjs/common';
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
@Module({})
export class AppModule {
  /** `env` is the process's one parse of the environment (loadEnvironment()), shared with the entry point. */
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EnvironmentModule.forRoot(env),
        OAuthServerModule.forRootAsync({ inject: [ENVIRONMENT], useFactory: (environment: Environment) => oauthServerOptions(environment) }),
        MicroserviceModule,
        AdminModule,
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
