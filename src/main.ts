import 'reflect-metadata';
import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureProduction } from './app.production';
import { configureApp } from './app.setup';
import { ConfigurationError, loadEnvironment } from './config/environment';
import { startMetricsListener } from './metrics/metrics-listener';
import { startMicroservice } from './microservice/connect-microservice';

async function bootstrap(): Promise<void> {
  const env = loadEnvironment();
  const app = await NestFactory.create(AppModule, { bodyParser: false, abortOnError: false, bufferLogs: true, logger: logLevelsFrom(env.LOG_LEVEL) });
  configureApp(app);
  configureProduction(app, env);
  await startMicroservice(app);
  await startMetricsListener(app);
  await app.listen(env.PORT, env.HOST);
  Logger.log(`token endpoint on ${await app.getUrl()}/oauth/token`, 'Bootstrap');
}

function logLevelsFrom(level: string): LogLevel[] {
  const ordered: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  return ordered.slice(0, ordered.indexOf(level as LogLevel) + 1);
}

bootstrap().catch((error: unknown) => {
  // A bad configuration is one clear line and a non-zero exit, before anything listens.
  const message = error instanceof ConfigurationError ? error.message : `Failed to start: ${(error as Error)?.message ?? error}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
