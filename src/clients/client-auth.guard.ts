import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { OAuthRequest } from '../oauth/oauth-request';
import { OAuthParams } from '../oauth/oauth-params';
import { clientAddress } from '../rate-limit/client-address';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientEntity } from './client.entity';

export interface AuthenticatedRequest extends OAuthRequest {
  client?: ClientEntity;
}

/** Authenticates the calling client of an OAuth endpoint and attaches it to the request. */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  constructor(private readonly authenticator: ClientAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    req.client = await this.authenticator.authenticate({
      authorization: req.headers.authorization,
      params: req.oauthParams ?? OAuthParams.empty(),
      address: clientAddress(req),
    });
    return true;
  }
}

/** The client authenticated by `ClientAuthGuard`. */
export const AuthenticatedClient = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().client;
});
