import { CONTROL_CHARACTERS } from '../common/control-characters';
import { OAuthError } from './oauth-error';

export { CONTROL_CHARACTERS } from '../common/control-characters';

const MAX_PARAMETERS = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The single-valued parameters of an OAuth form request (RFC 6749 §3.2, Appendix B). */
export class OAuthParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  static empty(): OAuthParams {
    return new OAuthParams(new Map());
  }

  static fromEntries(entries: Record<string, string>): OAuthParams {
    return new OAuthParams(new Map(Object.entries(entries).filter(([, value]) => value !== '')));
  }

  /** Strict application/x-www-form-urlencoded parsing: malformed input is an error, never guessed at. */
  static parse(body: Buffer): OAuthParams {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw OAuthError.invalidRequest('Request body is not valid UTF-8');
    }
    const values = new Map<string, string>();
    const pairs = text.split('&').filter((pair) => pair !== '');
    if (pairs.length > MAX_PARAMETERS) throw OAuthError.invalidRequest('Too many parameters');
    for (const pair of pairs) {
      const separator = pair.indexOf('=');
      const name = decodeFormComponent(separator === -1 ? pair : pair.slice(0, separator));
      const value = separator === -1 ? '' : decodeFormComponent(pair.slice(separator + 1));
      if (CONTROL_CHARACTERS.test(name) || CONTROL_CHARACTERS.test(value)) {
        throw OAuthError.invalidRequest('Parameters must not contain control characters');
      }
      // RFC 6749 §3.2: parameters sent without a value MUST be treated as if they were omitted.
      if (value === '') continue;
      // RFC 6749 §3.2: request parameters MUST NOT be included more than once.
      if (values.has(name)) throw OAuthError.invalidRequest(`Parameter '${safeName(name)}' is repeated`);
      values.set(name, value);
    }
    return new OAuthParams(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The same parameters without `names` (a view for code that must not see them). */
  without(...names: string[]): OAuthParams {
    return new OAuthParams(new Map([...this.values].filter(([name]) => !names.includes(name))));
  }

  require(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw OAuthError.invalidRequest(`Missing required parameter '${name}'`);
    return value;
  }
}

function decodeFormComponent(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw OAuthError.invalidRequest('Malformed percent-encoding in request body');
  }
}

function safeName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}...` : name;
}
