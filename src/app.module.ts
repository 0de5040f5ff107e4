import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AdminModule } from './admin/admin.module';
import { AuthorizeModule } from './authorize/authorize.module';
import { ClientsModule } from './clients/clients.module';
import { CommonModule } from './common/common.module';
import { adminConfig } from './config/admin.config';
import { appConfig } from './config/app.config';
import { dpopConfig } from './config/dpop.config';
import { authorizationConfig } from './config/authorization.config';
import { databaseConfig } from './config/database.config';
import { metricsConfig } from './config/metrics.config';
import { microserviceConfig } from './config/microservice.config';
import { retentionConfig } from './config/retention.config';
import { rateLimitConfig } from './config/rate-limit.config';
import { tokenConfig } from './config/token.config';
import { keysConfig } from './config/keys.config';
import { CorsModule } from './cors/cors.module';
import { DatabaseModule } from './database/database.module';
import { DiscoveryMetadataModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { MetricsModule } from './metrics/metrics.module';
import { MicroserviceModule } from './microservice/microservice.module';
import { RetentionModule } from './retention/retention.module';
import { OAuthModule } from './oauth/oauth.module';
import { RevocationModule } from './revocation/revocation.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ReplayModule } from './replay/replay.module';
import { TokenModule } from './token/token.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      load: [appConfig, tokenConfig, databaseConfig, microserviceConfig, authorizationConfig, adminConfig, retentionConfig, rateLimitConfig, keysConfig, metricsConfig, dpopConfig],
    }),
    CommonModule,
    EventsModule,
    DatabaseModule,
    ReplayModule,
    OAuthModule,
    RateLimitModule,
    ClientsModule,
    TokenModule,
    DiscoveryMetadataModule,
    RevocationModule,
    CorsModule,
    IntrospectionModule,
    MicroserviceModule,
    AuthorizeModule,
    AdminModule,
    HealthModule,
    MetricsModule,
    RetentionModule,
  ],
})
export class AppModule {}
