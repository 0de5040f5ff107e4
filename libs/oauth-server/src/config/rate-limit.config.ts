import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** Windows and blocks are in seconds, limits in requests per window. */
export const rateLimitConfig = settings('rateLimit');

export type RateLimitConfig = ResolvedOAuthServerOptions['rateLimit'];
