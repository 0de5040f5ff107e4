import { HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthenticatedClient, ClientAuthGuard } from '../clients/client-auth.guard';
import { ClientEntity } from '../clients/client.entity';
import { TokenEndpointDpop } from '../dpop/token-endpoint-dpop.service';
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
  constructor(
    private readonly authorize: AuthorizeService,
    private readonly dpop: TokenEndpointDpop,
  ) {}

  @Post('par')
  // RFC 9126 §2.2: 201 Created.
  @HttpCode(201)
  @UseGuards(CodeFlowEnabledGuard, ClientAuthGuard)
  async push(
    @FormParams() params: OAuthParams,
    @AuthenticatedClient() client: ClientEntity,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PushedAuthorizationResponse> {
    // The request_uri is a bearer reference to the request: never cached.
    setNoStore(res);
    // RFC 9449 §10.1: a DPoP proof on the push MUST be checked, and binds the code as dpop_jkt would.
    const proofKey = await this.dpop.verifiedKey(req, client, '/oauth/par');
    const pushed = await this.authorize.push(params, client, proofKey);
    this.dpop.onSuccess(res);
    return pushed;
  }
}
