import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { OAUTH_SERVER_DATA_SOURCE } from '../database/data-source-name';
import { AuthorizationCodeGrantService } from './grants/authorization-code/authorization-code-grant.service';
import { AuthorizationCodesRepository } from './grants/authorization-code/authorization-codes.repository';
import { AuthorizationCodeStore } from './grants/authorization-code/authorization-code.store';
import { ClientCredentialsGrantService } from './grants/client-credentials/client-credentials-grant.service';
import { GrantHandlerRegistry } from './grants/grant-handler.registry';
import { RefreshGrantService } from './grants/refresh-token/refresh-grant.service';
import { AccessTokenSigner } from './keys/access-token-signer';
import { JwksController } from './keys/jwks.controller';
import { KeyEncryption } from './keys/key-encryption.service';
import { KeysAdmin } from './keys/keys-admin.service';
import { LocalAccessTokenSigner } from './keys/local-access-token-signer.service';
import { DatabaseClock } from './keys/database-clock.service';
import { SchedulerLease } from './keys/scheduler-lease.service';
import { SigningKeyScheduler } from './keys/signing-key-scheduler.service';
import { SigningKeyEntity } from './keys/signing-key.entity';
import { SigningKeysService } from './keys/signing-keys.service';
import { RefreshTokenDerivationKey } from './refresh-tokens/refresh-token-derivation-key.service';
import { RefreshTokenEntity } from './refresh-tokens/refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens/refresh-tokens.repository';
import { RefreshTokenStore } from './refresh-tokens/refresh-token.store';
import { TokenFamiliesAdmin } from './refresh-tokens/token-families-admin.service';
import { RefreshTokenFamilies } from './refresh-tokens/refresh-token-families.service';
import { AccessTokens } from './access-tokens.service';
import { TokenFamilyEntity } from './refresh-tokens/token-family.entity';
import { TokenController } from './token.controller';
import { TokenIssuer } from './token-issuer.service';
import { DpopNonces } from '../dpop/dpop-nonces.service';
import { DpopProofVerifier } from '../dpop/dpop-proof-verifier.service';
import { TokenEndpointDpop } from '../dpop/token-endpoint-dpop.service';

@Module({
  imports: [
    DiscoveryModule,
    JwtModule.register({}),
    TypeOrmModule.forFeature([TokenFamilyEntity, RefreshTokenEntity, SigningKeyEntity], OAUTH_SERVER_DATA_SOURCE),
    ClientsModule,
  ],
  controllers: [TokenController, JwksController],
  providers: [
    GrantHandlerRegistry,
    KeyEncryption,
    SigningKeysService,
    DatabaseClock,
    SchedulerLease,
    SigningKeyScheduler,
    KeysAdmin,
    { provide: AccessTokenSigner, useClass: LocalAccessTokenSigner },
    TokenIssuer,
    RefreshTokensRepository,
    { provide: RefreshTokenStore, useExisting: RefreshTokensRepository },
    RefreshTokenDerivationKey,
    RefreshTokenFamilies,
    AccessTokens,
    TokenFamiliesAdmin,
    RefreshGrantService,
    ClientCredentialsGrantService,
    AuthorizationCodesRepository,
    { provide: AuthorizationCodeStore, useExisting: AuthorizationCodesRepository },
    AuthorizationCodeGrantService,
    // RFC 9449: the proof verifier is shared with the resource-server guard (ResourceServerModule).
    DpopNonces,
    DpopProofVerifier,
    TokenEndpointDpop,
  ],
  exports: [GrantHandlerRegistry, SigningKeysService, SigningKeyScheduler, KeyEncryption, KeysAdmin, TokenIssuer, RefreshTokensRepository, RefreshTokenStore, AuthorizationCodeStore, RefreshTokenFamilies, AccessTokens, TokenFamiliesAdmin, DpopProofVerifier, DpopNonces, TokenEndpointDpop],
})
export class TokenModule {}
