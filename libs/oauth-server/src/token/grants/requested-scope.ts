import { Scope } from '../../common/scope';
import { OAuthError } from '../../oauth/oauth-error';

/** The `scope` parameter of a token request (RFC 6749 §3.3); undefined when it was not sent. */
export function parseRequestedScope(value: string | undefined): Scope | undefined {
  if (value === undefined) return undefined;
  const scope = Scope.parseStrict(value);
  if (scope === null || scope.isEmpty) throw OAuthError.invalidScope('The requested scope is malformed');
  return scope;
}

/** RFC 6749 §3.3, §6: a grant never widens scope; `exceeded` says what the request went beyond. */
export function scopeWithin(requested: Scope, allowed: string, exceeded: string): string {
  if (!requested.isSubsetOf(Scope.parse(allowed))) throw OAuthError.invalidScope(`The requested scope exceeds ${exceeded}`);
  return requested.toString();
}
