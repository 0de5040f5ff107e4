import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** The /admin API; `apiKey` undefined means the API is off. */
export const adminConfig = registerAs('admin', () => ({ apiKey: loadEnvironment().ADMIN_API_KEY }));

export type AdminConfig = ConfigType<typeof adminConfig>;
