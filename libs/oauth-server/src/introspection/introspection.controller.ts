import { HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedClient, ClientAuthGuard } from '../clients/client-auth.guard';
import { ClientEntity } from '../clients/client.entity';
import { OAuthController } from '../oauth/oauth-controller.decorator';
import { setNoStore } from '../oauth/no-store';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthParams } from '../oauth/oauth-params';
import { FormParams } from '../oauth/oauth-params.decorator';
import type { IntrospectionResponse } from './introspection-response';
import { IntrospectionService } from './introspection.service';

@OAuthController()
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @Post('introspect')
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async introspect(
    @FormParams() params: OAuthParams,
    @AuthenticatedClient() client: ClientEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IntrospectionResponse> {
    setNoStore(res);
    // RFC 7662 §2.1: the endpoint MUST require authorization, else token scanning is possible (§4).
    if (!client.isConfidential || !client.allowIntrospection) {
      throw OAuthError.accessDenied('The client is not allowed to introspect tokens', `client ${client.clientId} lacks introspection`);
    }
    return this.introspection.introspect(params.require('token'), params.get('token_type_hint'));
  }
}
