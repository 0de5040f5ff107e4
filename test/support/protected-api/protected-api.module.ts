import { Controller, Get, Module, Post } from '@nestjs/common';
import { AccessTokenClaims, AccessTokenClaimsOf, RequireAccessToken, ResourceServerModule } from 'nest-oauth-server';

/** A small API protected by the exported resource-server guard, for the e2e tests. */
@Controller('api')
class ProtectedController {
  @Get('me')
  @RequireAccessToken()
  me(@AccessTokenClaimsOf() claims: AccessTokenClaims) {
    return { sub: claims.sub, client_id: claims.client_id };
  }

  @Post('write')
  @RequireAccessToken('write')
  write() {
    return { ok: true };
  }
}

@Module({ imports: [ResourceServerModule], controllers: [ProtectedController] })
export class ProtectedApiModule {}
