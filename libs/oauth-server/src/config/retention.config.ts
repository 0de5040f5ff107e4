import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** Durations in seconds. */
export const retentionConfig = settings('retention');

export type RetentionConfig = ResolvedOAuthServerOptions['retention'];
