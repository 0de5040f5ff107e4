import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** Which built-in grants are on. */
export const grantsConfig = settings('grants');

export type GrantsConfig = ResolvedOAuthServerOptions['grants'];
