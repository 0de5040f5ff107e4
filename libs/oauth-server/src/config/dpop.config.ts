import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** RFC 9449 (DPoP). Times in seconds. */
export const dpopConfig = settings('dpop');

export type DpopConfig = ResolvedOAuthServerOptions['dpop'];
