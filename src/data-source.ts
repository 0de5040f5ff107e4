// Entry point for the TypeORM CLI (`npm run typeorm -- migration:show`): same options as the app.
import 'reflect-metadata';
import { buildDataSourceOptions } from 'nest-oauth-server';
import { DataSource } from 'typeorm';
import { loadEnvironment } from './config/environment';

const env = loadEnvironment();
export default new DataSource(buildDataSourceOptions({ url: env.DATABASE_URL, sqliteSynchronous: env.SQLITE_SYNCHRONOUS, timeoutMs: env.DATABASE_TIMEOUT * 1000 }));
