import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule } from './clients/clients.module';
import { CommonModule } from './common/common.module';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { retentionConfig } from './config/retention.config';
import { tokenConfig } from './config/token.config';
import { DatabaseModule } from './database/database.module';
import { DiscoveryMetadataModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RetentionModule } from './retention/retention.module';
import { OAuthModule } from './oauth/oauth.module';
import { TokenModule } from './token/token.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig, tokenConfig, databaseConfig, retentionConfig] }),
    LoggingModule,
    CommonModule,
    EventsModule,
    DatabaseModule,
    OAuthModule,
    ClientsModule,
    TokenModule,
    DiscoveryMetadataModule,
    HealthModule,
    MetricsModule,
    RetentionModule,
  ],
})
export class AppModule {}
