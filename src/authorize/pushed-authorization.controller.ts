import { HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticatedClient, ClientAuthGuard } from '../clients/client-auth.guard';
import { ClientEntity } from '../clients/client.entity';
import { OAuthController } from '../oauth/oauth-controller.decorator';
import { setNoStore } from '../oauth/no-store';
import { OAuthParams } from '../oauth/oauth-params';
import { FormParams } from '../oauth/oauth-params.decorator';
import { AuthorizeService, PushedAuthorizationResponse } from './authorize.service';
import { CodeFlowEnabledGuard } from './code-flow-enabled.guard';

/**
 * RFC 9126 §2 pushed authorization request endpoint. RFC 9126 §2.1: the client is authenticated
 * as at the token endpoint (the same form parser and ClientAuthGuard). Each push stores a request,
 * like GET /oauth/authorize, so it is charged to the authorization endpoint's lower per-IP counter
 * (RATE_LIMIT_AUTHORIZE_PER_IP, review M9); an authenticated confidential client's success is
 * refunded as everywhere, and counts against its own quota instead.
 */
@OAuthController('authorize')
export class PushedAuthorizationController {
  constructor(private readonly authorize: AuthorizeService) {}

  @Post('par')
  // RFC 9126 §2.2: 201 Created.
  @HttpCode(201)
  @UseGuards(CodeFlowEnabledGuard, ClientAuthGuard)
  push(
    @FormParams() params: OAuthParams,
    @AuthenticatedClient() client: ClientEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PushedAuthorizationResponse> {
    // The request_uri is a bearer reference to the request: never cached.
    setNoStore(res);
    return this.authorize.push(params, client);
  }
}
