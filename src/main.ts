import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureProduction } from './app.production';
import { configureApp } from './app.setup';
import { BootLogger, writeBootFailure } from './boot/boot-logger';
import { configSummary } from './boot/config-summary';
import { issuerMismatchWarning, recordServerIssuer } from './boot/service-issuers';
import { Clock, DatabaseService } from 'nest-oauth-server';
import { appConfig, AppConfig } from './config/app.config';
import { ConfigurationError, issuerCorrection, loadEnvironment } from './config/environment';
import { startMetricsListener } from './metrics/metrics-listener';
import { startMicroservice } from './microservice/connect-microservice';

/**
 * The production entry point: `node dist/main.js` (the Dockerfile's CMD; `npm start` runs it in the
 * same process). Start-up says one line per thing that matters — configuration, migrations, keys,
 * listening — and a failed start one JSON line on stderr, exit 1.
 */
async function bootstrap(): Promise<void> {
  const env = loadEnvironment();
  const logger = new BootLogger(env.LOG_LEVEL);
  logger.log({ msg: 'configuration', ...configSummary(env) }, 'Bootstrap');
  const correction = issuerCorrection();
  if (correction) logger.warn(correction, 'Bootstrap');
  const app = await NestFactory.create(AppModule.forRoot(env), { bodyParser: false, abortOnError: false, logger });
  configureApp(app);
  // From here on records go through the app's JSON logger (request ids), still with the framework chatter at debug.
  logger.attach(configureProduction(app, env));
  app.useLogger(logger);
  await startMicroservice(app);
  await startMetricsListener(app);
  await app.listen(env.PORT, env.HOST);
  const issuer = app.get<AppConfig>(appConfig.KEY).issuer;
  const others = await recordServerIssuer(app.get(DatabaseService), issuer, app.get(Clock).now());
  if (others.length > 0) Logger.warn(issuerMismatchWarning(issuer, others, 'this server'), 'Bootstrap');
  Logger.log(`listening: token endpoint on ${await app.getUrl()}/oauth/token`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A bad configuration or an unreachable database: one line, a non-zero exit, nothing listening.
  const message = error instanceof ConfigurationError ? error.message : `Failed to start: ${(error as Error)?.message ?? error}`;
  writeBootFailure(message);
  process.exit(1);
});
