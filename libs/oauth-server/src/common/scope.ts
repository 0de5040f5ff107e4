import { OAuthError } from '../oauth/oauth-error';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), space-delimited.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** A parsed, de-duplicated scope. `undefined` input means "not requested". */
export class Scope {
  private constructor(private readonly tokens: ReadonlySet<string>) {}

  static parse(value: string): Scope {
    return new Scope(new Set(value.split(' ').filter((token) => token !== '')));
  }

  /** Null when the value breaks the §3.3 syntax (empty tokens from repeated spaces are tolerated). */
  static parseStrict(value: string): Scope | null {
    const tokens = value.split(' ').filter((token) => token !== '');
    return tokens.every((token) => SCOPE_TOKEN.test(token)) ? new Scope(new Set(tokens)) : null;
  }

  isSubsetOf(other: Scope): boolean {
    return [...this.tokens].every((token) => other.tokens.has(token));
  }

  get isEmpty(): boolean {
    return this.tokens.size === 0;
  }

  toString(): string {
    return [...this.tokens].join(' ');
  }
}

/**
 * The scope policy of every grant and of every way to start one, written once.
 *
 * - RFC 6749 §3.3: an omitted (or empty, §3.2) `scope` means the pre-defined default, which is
 *   `registered`: the client's registered scope, or for a refresh (§6) the scope originally
 *   granted. An empty registration is an empty default: the token carries no scope at all (the
 *   least privilege), never an unrestricted one.
 * - A requested scope must follow the §3.3 syntax and lie within `registered` (§3.3; §6: it MUST
 *   NOT include any scope not originally granted), else `invalid_scope`.
 *
 * Returns the granted scope, normalised (single spaces, no duplicates).
 */
export function resolveRequestedScope(requested: string | undefined, registered: string, bound = 'the scope registered for the client'): string {
  const allowed = Scope.parse(registered);
  if (requested === undefined || requested === '') return allowed.toString();
  const scope = Scope.parseStrict(requested);
  if (scope === null || scope.isEmpty) throw OAuthError.invalidScope('The requested scope is malformed');
  if (!scope.isSubsetOf(allowed)) throw OAuthError.invalidScope(`The requested scope exceeds ${bound}`);
  return scope.toString();
}
