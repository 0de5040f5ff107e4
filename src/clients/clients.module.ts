import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientAuthGuard } from './client-auth.guard';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientEntity } from './client.entity';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';

@Module({
  imports: [TypeOrmModule.forFeature([ClientEntity])],
  providers: [ClientsRepository, ClientAuthenticator, ClientAuthGuard, ClientsService],
  exports: [ClientsRepository, ClientAuthenticator, ClientAuthGuard, ClientsService],
})
export class ClientsModule {}
