import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** Production hardening and the testing aid of a shifted clock. */
export const runtimeConfig = settings('runtime');

export type RuntimeConfig = ResolvedOAuthServerOptions['runtime'];
