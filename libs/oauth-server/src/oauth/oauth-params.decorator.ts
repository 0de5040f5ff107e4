import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { OAuthRequest } from './oauth-request';
import { OAuthParams } from './oauth-params';
import { opaqueToPipes } from './opaque-to-pipes';

/** The parsed form parameters of the current OAuth request. */
export const FormParams = opaqueToPipes(
  createParamDecorator((_data: unknown, context: ExecutionContext): OAuthParams => {
    return context.switchToHttp().getRequest<OAuthRequest>().oauthParams ?? OAuthParams.empty();
  }),
);
