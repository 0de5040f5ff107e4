import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TokenModule } from '../token/token.module';
import { AccessTokenVerifier } from './access-token-verifier.service';
import { PresentedTokens } from './presented-tokens.service';
import { RevokedAccessTokensRepository } from './revoked-access-tokens.repository';

/** What revocation and introspection share: identifying a presented token and its revocation state. */
@Module({
  imports: [JwtModule.register({}), TokenModule],
  providers: [AccessTokenVerifier, PresentedTokens, RevokedAccessTokensRepository],
  exports: [AccessTokenVerifier, PresentedTokens, RevokedAccessTokensRepository, TokenModule],
})
export class TokenStatusModule {}
