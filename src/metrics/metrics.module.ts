import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { RetentionModule } from 'nest-oauth-server';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { MetricsService } from './metrics.service';
import { RequestDurationMiddleware } from './request-duration.middleware';

@Module({
  imports: [RetentionModule],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsListener],
  exports: [MetricsService],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestDurationMiddleware).forRoutes('*path');
  }
}
