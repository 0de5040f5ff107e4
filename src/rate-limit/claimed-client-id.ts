import { parseBasicAuthorization } from '../clients/client-authenticator.service';
import type { OAuthRequest } from '../oauth/oauth-form.middleware';

const claimed = new WeakMap<OAuthRequest, string | undefined>();

/** The client id a request claims (Basic header or client_id), before any authentication; cut to 64 like the event record. */
export function claimedClientId(req: OAuthRequest): string | undefined {
  // Asked up to three times per request (block check, client throttler's skip and tracker).
  if (!claimed.has(req)) claimed.set(req, parse(req));
  return claimed.get(req);
}

function parse(req: OAuthRequest): string | undefined {
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
