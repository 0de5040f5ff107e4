import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** Signing-key lifecycle and encryption at rest. Durations in seconds. */
export const keysConfig = settings('keys');

export type KeysConfig = ResolvedOAuthServerOptions['keys'];
