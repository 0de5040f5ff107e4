import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TokenModule } from '../token/token.module';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeService } from './authorize.service';
import { LoginRequestsRepository } from './login-requests.repository';
import { LoginInteractions } from './login-interactions.service';
import { LoginRequestStore } from './login-request.store';
import { LoginRequestsService } from './login-requests.service';
import { PushedAuthorizationController } from './pushed-authorization.controller';
import { PushedAuthorizationRequestsRepository } from './pushed-authorization-requests.repository';

/** The front channel of the code flow: authorization requests become login requests. */
@Module({
  // TokenModule: the DPoP proof check a push may carry (RFC 9449 §10.1).
  imports: [ClientsModule, TokenModule],
  controllers: [AuthorizeController, PushedAuthorizationController],
  providers: [AuthorizeService, LoginRequestsRepository, { provide: LoginRequestStore, useExisting: LoginRequestsRepository }, LoginRequestsService, LoginInteractions, PushedAuthorizationRequestsRepository],
  exports: [LoginRequestsService, LoginInteractions],
})
export class AuthorizeModule {}
