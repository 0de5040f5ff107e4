import { HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedClient, ClientAuthGuard } from '../clients/client-auth.guard';
import { ClientEntity } from '../clients/client.entity';
import { BrowserCallable } from '../cors/browser-callable.decorator';
import { OAuthController } from '../oauth/oauth-controller.decorator';
import { setNoStore } from '../oauth/no-store';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthParams } from '../oauth/oauth-params';
import { FormParams } from '../oauth/oauth-params.decorator';
import { GrantHandlerRegistry } from './grants/grant-handler.registry';
import type { TokenResponse } from './token-response';

/** RFC 6749 §3.2. Knows no grant type: it authenticates, dispatches and answers. */
@OAuthController()
export class TokenController {
  constructor(private readonly grants: GrantHandlerRegistry) {}

  @Post('token')
  @BrowserCallable()
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async token(
    @FormParams() params: OAuthParams,
    @AuthenticatedClient() client: ClientEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse> {
    setNoStore(res);
    const grantType = params.require('grant_type');
    const handler = this.grants.get(grantType);
    // RFC 6749 §5.2: a client not authorized for this grant type gets unauthorized_client.
    if (!client.allowsGrant(grantType)) {
      throw OAuthError.unauthorizedClient(`The client is not allowed to use the ${grantType} grant`);
    }
    return handler.handle(params, client);
  }
}
