import { HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedClient, ClientAuthGuard } from '../clients/client-auth.guard';
import { ClientEntity } from '../clients/client.entity';
import { BrowserCallable } from '../cors/browser-callable.decorator';
import { OAuthController } from '../oauth/oauth-controller.decorator';
import { setNoStore } from '../oauth/no-store';
import { OAuthParams } from '../oauth/oauth-params';
import { FormParams } from '../oauth/oauth-params.decorator';
import { RevocationService } from './revocation.service';

/** RFC 7009 §2: the client is authenticated as at the token endpoint, before the token is read. */
@OAuthController()
export class RevocationController {
  constructor(private readonly revocation: RevocationService) {}

  @Post('revoke')
  @BrowserCallable()
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async revoke(
    @FormParams() params: OAuthParams,
    @AuthenticatedClient() client: ClientEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    setNoStore(res);
    const token = params.require('token');
    // RFC 7009 §2.2: 200 whether or not anything was revoked; the content of the body is ignored.
    await this.revocation.revoke(token, params.get('token_type_hint'), { kind: 'client', clientId: client.clientId });
  }
}
