import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule } from './clients/clients.module';
import { CommonModule } from './common/common.module';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { microserviceConfig } from './config/microservice.config';
import { tokenConfig } from './config/token.config';
import { DatabaseModule } from './database/database.module';
import { DiscoveryMetadataModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { MicroserviceModule } from './microservice/microservice.module';
import { OAuthModule } from './oauth/oauth.module';
import { RevocationModule } from './revocation/revocation.module';
import { TokenModule } from './token/token.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig, tokenConfig, databaseConfig, microserviceConfig] }),
    CommonModule,
    EventsModule,
    DatabaseModule,
    OAuthModule,
    ClientsModule,
    TokenModule,
    DiscoveryMetadataModule,
    RevocationModule,
    IntrospectionModule,
    MicroserviceModule,
  ],
})
export class AppModule {}
