import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** The authorization code flow and its login page. Lifetimes in seconds. */
export const authorizationConfig = settings('authorization');

export type AuthorizationConfig = ResolvedOAuthServerOptions['authorization'];
