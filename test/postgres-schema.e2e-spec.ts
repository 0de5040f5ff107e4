import { Client } from 'pg';
import { baseEnv, buildDist, runBuilt } from './support/service-process';
import { TestApp } from './support/test-app';

// DATABASE_URL=postgres://…?schema=name on the machine's PostgreSQL (in `npm test` as well: the
// option exists only on PostgreSQL). Each test uses a schema and a role of its own and drops them.
const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const unique = () => `schema_e2e_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

async function admin<T>(work: (pg: Client) => Promise<T>): Promise<T> {
  const pg = new Client({ connectionString: BASE_URL });
  await pg.connect();
  try {
    return await work(pg);
  } finally {
    await pg.end();
  }
}

function urlWith(schema: string, user?: string): string {
  const url = new URL(BASE_URL);
  url.searchParams.set('schema', schema);
  if (user) url.username = user;
  return url.toString();
}

describe('DATABASE_URL with ?schema= on PostgreSQL', () => {
  it('creates the schema when it is missing, then migrates into it', async () => {
    const schema = unique();
    const t = await TestApp.create({ database: { url: urlWith(schema), drop: async () => undefined } });
    try {
      const tables = await admin((pg) => pg.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]));
      expect(tables.rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['oauth_clients', 'migrations']));
      const client = await t.createClient();
      const { refresh_token } = await t.issueTokens(client);
      await t.refresh(client, refresh_token!).expect(200);
    } finally {
      await t.close();
      await admin((pg) => pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    }
  });

  it('a user who may not create it: the boot fails in one line saying what to run', async () => {
    buildDist();
    const schema = unique();
    const role = `role_${schema}`;
    await admin((pg) => pg.query(`CREATE ROLE ${role} LOGIN`));
    try {
      const result = await runBuilt('main', [], { ...baseEnv(urlWith(schema, role)), DATABASE_CONNECT_RETRIES: '1' });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]).msg).toBe(
        `Failed to start: schema "${schema}" of DATABASE_URL does not exist and user ${role} may not create it: run CREATE SCHEMA ${schema} AUTHORIZATION "${role}"; as the database owner`,
      );
      const exists = await admin((pg) => pg.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]));
      expect(exists.rowCount).toBe(0);
    } finally {
      await admin((pg) => pg.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });
});
