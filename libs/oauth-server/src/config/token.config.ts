import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** Lifetimes are in seconds, as in `expires_in`. */
export const tokenConfig = settings('token');

export type TokenConfig = ResolvedOAuthServerOptions['token'];
