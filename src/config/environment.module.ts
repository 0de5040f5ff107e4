import { Global, Module } from '@nestjs/common';
import { adminConfig } from './admin.config';
import { appConfig } from './app.config';
import { Environment, loadEnvironment } from './environment';
import { ENVIRONMENT } from './environment-settings';
import { metricsConfig } from './metrics.config';
import { microserviceConfig } from './microservice.config';

const NAMESPACES = [appConfig, adminConfig, metricsConfig, microserviceConfig];

/** The environment, validated once when the application is built, and the service's namespaces of it. */
@Global()
@Module({
  providers: [{ provide: ENVIRONMENT, useFactory: (): Environment => loadEnvironment() }, ...NAMESPACES.map((namespace) => namespace.provider)],
  exports: [ENVIRONMENT, ...NAMESPACES.map((namespace) => namespace.KEY)],
})
export class EnvironmentModule {}
