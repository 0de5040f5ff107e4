import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, AppConfig } from '../config/app.config';
import { pinoHttpOptions } from './pino-http-options';

/** Structured JSON logs (pino). main.ts routes Nest's own logger here; tests keep Nest's console logger. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({ pinoHttp: pinoHttpOptions(config.logLevel) }),
    }),
  ],
})
export class LoggingModule {}
