import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { IntrospectionModule } from '../introspection/introspection.module';
import { RevocationModule } from '../revocation/revocation.module';
import { TokenModule } from '../token/token.module';
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
