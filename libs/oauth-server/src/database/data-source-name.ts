/**
 * The library's own TypeORM DataSource is a named one, so that a host's default DataSource (and
 * its repositories) are left alone.
 */
export const OAUTH_SERVER_DATA_SOURCE = 'oauthServer';
