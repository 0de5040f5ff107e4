import type { Request } from 'express';
import type { OAuthParams } from './oauth-params';

/** A request to an OAuth endpoint, once `OAuthFormGuard` has read its form. */
export interface OAuthRequest extends Request {
  oauthParams?: OAuthParams;
}
