import { fromEnvironment, SettingsOf } from './environment-settings';

/** The /admin API; `apiKey` undefined means the API is off. */
export const adminConfig = fromEnvironment('admin', (env) => ({ apiKey: env.ADMIN_API_KEY }));

export type AdminConfig = SettingsOf<typeof adminConfig>;
