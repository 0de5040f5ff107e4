import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** The issuer (RFC 8414 §2), as every token and metadata document names it. */
export const appConfig = settings('app');

export type AppConfig = ResolvedOAuthServerOptions['app'];
