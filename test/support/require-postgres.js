// Jest globalSetup of `npm run test:pg`: an unreachable PostgreSQL is a failure, never a skip.
const { Client } = require('pg');

module.exports = async function requirePostgres() {
  const url = process.env.TEST_DATABASE_URL;
  const pg = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    const where = new URL(url);
    where.password = '';
    throw new Error(`PostgreSQL at ${where} is unreachable (${error.message}); test:pg needs it running`);
  } finally {
    await pg.end().catch(() => undefined);
  }
};
