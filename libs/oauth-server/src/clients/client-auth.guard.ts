import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { appConfig, AppConfig } from '../config/app.config';
import type { OAuthRequest } from '../oauth/oauth-request';
import { OAuthParams } from '../oauth/oauth-params';
import { opaqueToPipes } from '../oauth/opaque-to-pipes';
import { clientAddress } from '../rate-limit/client-address';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientEntity } from './client.entity';
import { ClientOriginPolicy } from './client-origin.policy';

export interface AuthenticatedRequest extends OAuthRequest {
  client?: ClientEntity;
}

/**
 * Authenticates the calling client of an OAuth endpoint, checks the browser origin it calls from
 * (CORS, see ClientOriginPolicy), and attaches the client to the request. Both happen here, once,
 * before any endpoint logic can change state.
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  private readonly origins: ClientOriginPolicy;

  constructor(
    private readonly authenticator: ClientAuthenticator,
    @Inject(appConfig.KEY) app: AppConfig,
  ) {
    this.origins = new ClientOriginPolicy(new URL(app.issuer).origin);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const client = await this.authenticator.authenticate({
      authorization: req.headers.authorization,
      params: req.oauthParams ?? OAuthParams.empty(),
      address: clientAddress(req),
    });
    this.origins.enforce(req, context.switchToHttp().getResponse<Response>(), client);
    req.client = client;
    return true;
  }
}

/** The client authenticated by `ClientAuthGuard`. */
export const AuthenticatedClient = opaqueToPipes(
  createParamDecorator((_data: unknown, context: ExecutionContext) => {
    return context.switchToHttp().getRequest<AuthenticatedRequest>().client;
  }),
);
