import { AsyncLocalStorage } from 'node:async_hooks';
import { OAuthError } from '../oauth/oauth-error';
import { ISSUED_RESPONSE_FIELDS, TokenEndpointResponse, TokenResponse } from './token-response';

interface TokenRequestRecord {
  readonly grantType: string;
  /** The last §5.1 response handed out (announced) by the issuer during this token request. */
  issued?: TokenResponse;
}

const current = new AsyncLocalStorage<TokenRequestRecord>();

/**
 * Runs a grant handler and composes the response: the §5.1 fields are those the issuer minted
 * during this request, the handler's other fields follow them (RFC 6749 §5.1 allows extra
 * parameters). A handler cannot replace or forge access_token, token_type, expires_in,
 * refresh_token or scope, and a response the issuer did not mint is a server error, never sent.
 */
export async function runTokenRequest(grantType: string, handle: () => Promise<TokenEndpointResponse>): Promise<TokenEndpointResponse> {
  const record: TokenRequestRecord = { grantType };
  const returned = await current.run(record, handle);
  if (record.issued === undefined) throw OAuthError.serverError(`the ${grantType.slice(0, 60)} handler returned no response minted by the issuer`);
  const extras: Record<string, unknown> = { ...returned };
  for (const field of ISSUED_RESPONSE_FIELDS) delete extras[field];
  return { ...record.issued, ...extras };
}

/** Called by the issuer when a response is really handed out. */
export function recordIssuedResponse(response: TokenResponse): void {
  const record = current.getStore();
  if (record) record.issued = response;
}

/** The grant type of the token request underway, if any (a bounded label: registered handlers only). */
export function currentGrantType(): string | undefined {
  return current.getStore()?.grantType;
}
