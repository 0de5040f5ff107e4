import type { FactoryProvider } from '@nestjs/common';
import type { ResolvedOAuthServerOptions } from '../options/resolve-options';

/** The resolved options (every default applied), provided once by OAuthServerModule. */
export const RESOLVED_OPTIONS = Symbol('nest-oauth-server:resolved-options');

/**
 * One internal settings namespace, derived from the resolved options: the shape `registerAs` gave
 * the library's classes before it had options (`@Inject(tokenConfig.KEY) config: TokenConfig`).
 */
export function settings<K extends keyof ResolvedOAuthServerOptions>(name: K) {
  const KEY = `nest-oauth-server:${name}`;
  const provider: FactoryProvider = { provide: KEY, inject: [RESOLVED_OPTIONS], useFactory: (options: ResolvedOAuthServerOptions) => options[name] };
  return { KEY, provider };
}
