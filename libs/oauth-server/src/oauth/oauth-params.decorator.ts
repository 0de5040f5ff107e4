import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { OAuthRequest } from './oauth-request';
import { OAuthParams } from './oauth-params';

/** The parsed form parameters of the current OAuth request. */
export const FormParams = createParamDecorator((_data: unknown, context: ExecutionContext): OAuthParams => {
  return context.switchToHttp().getRequest<OAuthRequest>().oauthParams ?? OAuthParams.empty();
});
