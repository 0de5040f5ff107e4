import { Module } from '@nestjs/common';
import { ClientsModule, IntrospectionModule, RevocationModule, TokenModule } from 'nest-oauth-server';
import { FirstPartyIssuanceService } from './first-party-issuance.service';
import { OAuthMessagesController } from './oauth-messages.controller';
import { SharedSecretGuard } from './shared-secret.guard';

/** Message handlers; they only receive messages once connect-microservice.ts starts a transport. */
@Module({
  imports: [ClientsModule, TokenModule, IntrospectionModule, RevocationModule],
  controllers: [OAuthMessagesController],
  providers: [FirstPartyIssuanceService, SharedSecretGuard],
})
export class MicroserviceModule {}
