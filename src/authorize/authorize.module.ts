import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeService } from './authorize.service';
import { LoginRequestsRepository } from './login-requests.repository';
import { LoginRequestsService } from './login-requests.service';

/** The front channel of the code flow: authorization requests become login requests. */
@Module({
  imports: [ClientsModule],
  controllers: [AuthorizeController],
  providers: [AuthorizeService, LoginRequestsRepository, LoginRequestsService],
  exports: [LoginRequestsService],
})
export class AuthorizeModule {}
