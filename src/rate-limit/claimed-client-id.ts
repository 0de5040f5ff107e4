import { parseBasicAuthorization } from '../clients/client-authenticator.service';
import type { OAuthRequest } from '../oauth/oauth-form.middleware';

/** The client id a request claims (Basic header or client_id), before any authentication; cut to 64 like the event record. */
export function claimedClientId(req: OAuthRequest): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    try {
      return parseBasicAuthorization(header).clientId.slice(0, 64);
    } catch {
      return undefined;
    }
  }
  return req.oauthParams?.get('client_id')?.slice(0, 64);
}
