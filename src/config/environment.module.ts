import { DynamicModule, Global, Module } from '@nestjs/common';
import { adminConfig } from './admin.config';
import { appConfig } from './app.config';
import type { Environment } from './environment';
import { ENVIRONMENT } from './environment-settings';
import { metricsConfig } from './metrics.config';
import { microserviceConfig } from './microservice.config';

const NAMESPACES = [appConfig, adminConfig, metricsConfig, microserviceConfig];

/**
 * The environment and the service's namespaces of it. The caller parses it (loadEnvironment()) and
 * hands the result in: the entry points need it before the app exists (boot logging, the CLI's
 * warning), and one parse per process means one set of values and one 'configuration' line.
 */
@Global()
@Module({})
export class EnvironmentModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: EnvironmentModule,
      providers: [{ provide: ENVIRONMENT, useValue: env }, ...NAMESPACES.map((namespace) => namespace.provider)],
      exports: [ENVIRONMENT, ...NAMESPACES.map((namespace) => namespace.KEY)],
    };
  }
}
