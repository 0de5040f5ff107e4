import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule } from './clients/clients.module';
import { CommonModule } from './common/common.module';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { rateLimitConfig } from './config/rate-limit.config';
import { tokenConfig } from './config/token.config';
import { DatabaseModule } from './database/database.module';
import { DiscoveryMetadataModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { OAuthModule } from './oauth/oauth.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TokenModule } from './token/token.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig, tokenConfig, databaseConfig, rateLimitConfig] }),
    CommonModule,
    EventsModule,
    DatabaseModule,
    OAuthModule,
    RateLimitModule,
    ClientsModule,
    TokenModule,
    DiscoveryMetadataModule,
  ],
})
export class AppModule {}
