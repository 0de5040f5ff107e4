import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OAUTH_SERVER_DATA_SOURCE } from '../database/data-source-name';
import { ClientAssertionVerifier } from './client-assertion-verifier.service';
import { ClientAuthGuard } from './client-auth.guard';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientEntity } from './client.entity';
import { ClientsRepository } from './clients.repository';
import { ClientStore } from './client.store';
import { ClientsService } from './clients.service';
import { JwksFetcher } from './jwks/jwks-fetcher.service';

@Module({
  imports: [TypeOrmModule.forFeature([ClientEntity], OAUTH_SERVER_DATA_SOURCE)],
  providers: [ClientsRepository, { provide: ClientStore, useExisting: ClientsRepository }, ClientAuthenticator, ClientAuthGuard, ClientsService, ClientAssertionVerifier, JwksFetcher],
  exports: [ClientsRepository, ClientStore, ClientAuthenticator, ClientAuthGuard, ClientsService],
})
export class ClientsModule {}
