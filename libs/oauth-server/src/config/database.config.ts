import type { ResolvedOAuthServerOptions } from '../options/resolve-options';
import { settings } from './settings';

/** The module's own DataSource (or the host's one of `dataSourceName`). */
export const databaseConfig = settings('database');

export type DatabaseConfig = ResolvedOAuthServerOptions['database'];
