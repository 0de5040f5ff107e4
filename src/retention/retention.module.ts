import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

@Module({ imports: [MetricsModule], providers: [RetentionRepository, RetentionService], exports: [RetentionService] })
export class RetentionModule {}
