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
