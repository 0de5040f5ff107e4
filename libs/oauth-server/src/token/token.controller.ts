import { HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthenticatedClient, ClientAuthGuard } from '../clients/client-auth.guard';
import { ClientEntity } from '../clients/client.entity';
import { OAuthClient } from '../clients/oauth-client';
import { TokenEndpointDpop } from '../dpop/token-endpoint-dpop.service';
import { BrowserCallable } from '../cors/browser-callable.decorator';
import { OAuthController } from '../oauth/oauth-controller.decorator';
import { setNoStore } from '../oauth/no-store';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthParams } from '../oauth/oauth-params';
import { FormParams } from '../oauth/oauth-params.decorator';
import { GrantHandlerRegistry } from './grants/grant-handler.registry';
import { runTokenRequest } from './token-request-scope';
import type { TokenEndpointResponse } from './token-response';

/** RFC 6749 §3.2. Knows no grant type: it authenticates, dispatches and answers. */
@OAuthController()
export class TokenController {
  constructor(
    private readonly grants: GrantHandlerRegistry,
    private readonly dpop: TokenEndpointDpop,
  ) {}

  @Post('token')
  @BrowserCallable()
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async token(
    @FormParams() params: OAuthParams,
    @AuthenticatedClient() client: ClientEntity,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenEndpointResponse> {
    setNoStore(res);
    const grantType = params.require('grant_type');
    const handler = this.grants.get(grantType);
    // RFC 6749 §5.2: a client not authorized for this grant type gets unauthorized_client.
    if (!client.allowsGrant(grantType)) {
      throw OAuthError.unauthorizedClient(`The client is not allowed to use the ${grantType} grant`);
    }
    // RFC 9449 §5: the proof is checked once, before the grant, which only sees the verified key.
    const dpopJkt = await this.dpop.verifiedKey(req, client);
    const context = { grantType, params: params.without(...CLIENT_CREDENTIAL_PARAMS), client: OAuthClient.from(client), headers: grantHandlerHeaders(req.headers), ...(dpopJkt === undefined ? {} : { dpopJkt }) };
    const response = await runTokenRequest(grantType, () => handler.handle(context));
    this.dpop.onSuccess(res);
    return response;
  }
}

/**
 * The client's credentials stay with client authentication and DPoP verification, which have
 * already checked them: a grant handler (possibly a host's) gets the verified client and key only,
 * never the secret, the assertion, the proof or the caller's cookies to log or forward.
 */
const CLIENT_CREDENTIAL_PARAMS = ['client_secret', 'client_assertion', 'client_assertion_type'];
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'dpop']);

function grantHandlerHeaders(headers: Request['headers']): Readonly<Record<string, string | string[] | undefined>> {
  return Object.freeze(Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name))));
}
