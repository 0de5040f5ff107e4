import { baseEnv, buildDist, runBuilt, ServiceProcess } from './support/service-process';

// Production instances set a KEK (without one each boot warns, which this test would count as noise).
const KEY_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
import { TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

// Without one ISSUER, instance B answered {"active": false} for instance A's tokens and a token the
// CLI minted was inactive at the server. In production the issuer is required, and every server
// records the issuer it booted with, so a mismatch is said at once.
describe('one issuer for every instance and the CLI', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('NODE_ENV=production without ISSUER: the boot fails in one line', async () => {
    const { ISSUER: _unset, ...env } = baseEnv(database.url);
    const result = await runBuilt('main', [], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr).msg).toMatch(/^Invalid configuration: ISSUER is required in production/);
  });

  it('a second server and the CLI with another issuer are warned; the same issuer is not', async () => {
    const a = await ServiceProcess.start({ databaseUrl: database.url, env: { ISSUER: 'https://auth.example', KEY_ENCRYPTION_KEY } });
    const b = await ServiceProcess.start({ databaseUrl: database.url, env: { ISSUER: 'https://auth-b.example/', KEY_ENCRYPTION_KEY } });
    try {
      expect(a.logs()).toBe(''); // LOG_LEVEL=warn: nothing to say
      const warnings = b.logs().trim().split('\n').map((line) => JSON.parse(line).msg);
      expect(warnings).toEqual([
        'ISSUER "https://auth-b.example/" ends with "/": using "https://auth-b.example" (issuers are compared as strings, RFC 8414 §2)',
        'this server uses ISSUER "https://auth-b.example" but servers on this database recently booted with "https://auth.example": tokens signed under one are inactive at the other; set the same ISSUER everywhere',
      ]);
    } finally {
      await a.kill('SIGTERM');
      await b.kill('SIGTERM');
    }

    const t = await TestApp.create({ database, env: { KEY_ENCRYPTION_KEY } });
    const client = await t.createClient();
    await t.close();
    const issue = (issuer: string) => runBuilt('cli', ['tokens:issue', '--client-id', client.clientId, '--subject', 'alice'], { ...baseEnv(database.url), ISSUER: issuer, KEY_ENCRYPTION_KEY });
    const other = await issue('https://cli.example');
    expect(other.code).toBe(0);
    expect(other.stderr).toMatch(/^warning: this CLI uses ISSUER "https:\/\/cli.example" but servers on this database recently booted with "https:\/\/auth-b.example", "https:\/\/auth.example"/);
    const same = await issue('https://auth.example');
    expect(same).toMatchObject({ code: 0, stderr: '' });
  });
});
