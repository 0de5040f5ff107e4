import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TokenStatusModule } from '../token-status/token-status.module';
import { AccessTokenRequestVerifier } from './access-token-request-verifier.service';
import { AccessTokenGuard } from './access-token.guard';

/**
 * Import it into a module whose controllers are an API protected by this service's access tokens
 * (in the same process), then put `@RequireAccessToken(scope?)` on routes or controllers.
 */
@Module({
  imports: [TokenStatusModule, ClientsModule],
  providers: [AccessTokenRequestVerifier, AccessTokenGuard],
  exports: [AccessTokenRequestVerifier, AccessTokenGuard],
})
export class ResourceServerModule {}
