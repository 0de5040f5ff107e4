import { freePort } from './support/free-port';
import { buildDist, baseEnv, runBuilt, ServiceProcess } from './support/service-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

const ADMIN_API_KEY = 'boot-output-admin-key-0123456789abcdefghij';
const KEY_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line)); // throws on anything that is not one JSON object per line
}

describe('start-up output of the real process', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('says one JSON line per thing that matters (configuration, migrations, keys, listening); no secret, no module or route list', async () => {
    const service = await ServiceProcess.start({
      databaseUrl: database.url,
      // A production deployment sets a KEK; without one every boot adds a warning line (keys at rest).
      env: { LOG_LEVEL: 'log', ADMIN_API_KEY, LOGIN_URL: 'http://login.test/login', KEY_ENCRYPTION_KEY },
    });
    // Ready over HTTP can come before the "listening" line has left the child's stdout pipe.
    for (let waited = 0; !service.logs().includes('listening: ') && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const boot = jsonLines(service.logs());
    await service.kill('SIGTERM');

    expect(boot.length).toBeGreaterThanOrEqual(3);
    expect(boot.length).toBeLessThanOrEqual(5);
    const messages = boot.map((line) => String(line.msg));
    expect(messages[0]).toBe('configuration');
    expect(boot[0]).toMatchObject({ level: 30, issuer: 'http://issuer.test', admin_api: 'on', login_url: 'http://login.test/login', log_level: 'log' });
    expect(messages).toContainEqual(expect.stringMatching(/^migrations (applied: InitialSchema|: schema up to date)/));
    expect(messages.at(-1)).toMatch(/^listening: token endpoint on http:\/\/127\.0\.0\.1:\d+\/oauth\/token$/);
    expect(service.logs()).not.toContain(ADMIN_API_KEY);
    expect(service.logs()).not.toMatch(/Mapped \{|dependencies initialized|RoutesResolver/);
  });

  it('keeps the module and route lines at debug', async () => {
    const service = await ServiceProcess.start({ databaseUrl: database.url, env: { LOG_LEVEL: 'debug', KEY_ENCRYPTION_KEY } });
    const lines = jsonLines(service.logs());
    await service.kill('SIGTERM');
    expect(lines.filter((line) => /^Mapped \{/.test(String(line.msg))).every((line) => line.level === 20)).toBe(true);
    expect(lines.some((line) => /^Mapped \{\/oauth\/token, POST\}/.test(String(line.msg)))).toBe(true);
  });

  it('an unreachable database: one line per retry, then one JSON line saying why it failed, exit 1', async () => {
    const port = await freePort();
    const result = await runBuilt('main', [], {
      ...baseEnv(`postgres://postgres@127.0.0.1:${port}/nowhere`),
      PORT: String(await freePort()),
      DATABASE_CONNECT_RETRIES: '3',
      DATABASE_CONNECT_RETRY_DELAY_MS: '50',
    });
    expect(result.code).toBe(1);
    const retries = jsonLines(result.stdout).filter((line) => line.context === 'TypeOrmModule');
    expect(retries.map((line) => [line.level, line.msg])).toEqual([1, 2, 3].map((n) => [40, `Unable to connect to the database (oauthServer). Retrying (${n})...`]));
    expect(retries[0].error).toMatch(/ECONNREFUSED/);
    const failure = jsonLines(result.stderr);
    expect(failure).toEqual([expect.objectContaining({ level: 60, context: 'Bootstrap', msg: expect.stringMatching(/^Failed to start: .*ECONNREFUSED/) })]);
    expect(result.stdout + result.stderr).not.toMatch(/\u001b\[|^\s+at /m); // no colours, no stack lines
  });

  it('a bad configuration: one JSON line on stderr naming the value, nothing on stdout, exit 1', async () => {
    const result = await runBuilt('main', [], { ...baseEnv(database.url), PORT: 'abc' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(jsonLines(result.stderr)).toEqual([expect.objectContaining({ level: 60, msg: expect.stringContaining('PORT') })]);
  });
});
