import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, ServiceProcess } from './support/service-process';

/**
 * The SQLite file holds the private signing keys: it and its -wal/-shm files must be 0600 and a
 * directory made by the service 0700, whatever the umask. This is about SQLite's files, so it runs
 * on a SQLite file of its own whichever database the rest of the suite uses.
 */
describe('SQLite file modes', () => {
  let root: string;
  const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

  beforeAll(() => {
    buildDist();
    root = mkdtempSync(join(tmpdir(), 'oauth-modes-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Starts the real service with umask 022 (the child inherits it), as a shell usually has. */
  const startWithUmask022 = async (database: string) => {
    const previous = process.umask(0o022);
    try {
      return await ServiceProcess.start({ databaseUrl: `sqlite:${database}` });
    } finally {
      process.umask(previous);
    }
  };

  it('a fresh start creates the directory 0700 and the database, -wal and -shm 0600', async () => {
    const directory = join(root, 'fresh', 'data');
    const database = join(directory, 'oauth.sqlite');
    const service = await startWithUmask022(database);
    try {
      // The signing key is written at start-up: the WAL and its index exist while the service runs.
      expect(existsSync(`${database}-wal`) && existsSync(`${database}-shm`)).toBe(true);
      expect({
        parent: modeOf(join(root, 'fresh')),
        directory: modeOf(directory),
        database: modeOf(database),
        wal: modeOf(`${database}-wal`),
        shm: modeOf(`${database}-shm`),
      }).toEqual({ parent: '0700', directory: '0700', database: '0600', wal: '0600', shm: '0600' });
      expect(service.logs()).not.toMatch(/tightened/);
    } finally {
      await service.kill('SIGKILL');
    }
  });

  it('an existing installation with world-readable files is tightened at start, with one log line', async () => {
    const directory = join(root, 'existing');
    const database = join(directory, 'oauth.sqlite');
    const first = await startWithUmask022(database);
    // SIGKILL leaves the -wal and -shm files behind, as a crash would.
    await first.kill('SIGKILL');
    for (const path of [database, `${database}-wal`, `${database}-shm`]) chmodSync(path, 0o644);

    const service = await startWithUmask022(database);
    try {
      expect([modeOf(database), modeOf(`${database}-wal`), modeOf(`${database}-shm`)]).toEqual(['0600', '0600', '0600']);
      const lines = service.logs().split('\n').filter((line) => line.includes('tightened'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${database} (was 0644)`);
      expect(lines[0]).toContain(`${database}-wal (was 0644)`);
      // The data survived: the service is ready on the same database (its signing key was reused).
      expect((await service.fetch('/health/ready')).status).toBe(200);
    } finally {
      await service.kill('SIGKILL');
    }
  });
});
