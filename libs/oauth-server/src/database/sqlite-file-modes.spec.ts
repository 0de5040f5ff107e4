import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureSqliteFiles } from './sqlite-file-modes';

describe('secureSqliteFiles', () => {
  let dir: string;
  const mode = (path: string) => statSync(path).mode & 0o777;
  const quiet = { warn: jest.fn() };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-modes-'));
    quiet.warn.mockClear();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates missing directories 0700 and the database 0600 even under a permissive umask', () => {
    const previous = process.umask(0o000);
    try {
      secureSqliteFiles(join(dir, 'a', 'b', 'oauth.sqlite'), { logger: quiet });
    } finally {
      process.umask(previous);
    }
    expect([mode(join(dir, 'a')), mode(join(dir, 'a', 'b')), mode(join(dir, 'a', 'b', 'oauth.sqlite'))]).toEqual([0o700, 0o700, 0o600]);
    expect(quiet.warn).not.toHaveBeenCalled();
  });

  it('leaves an existing directory alone and tightens the files the process owns, in one line', () => {
    const database = join(dir, 'oauth.sqlite');
    chmodSync(dir, 0o755);
    for (const path of [database, `${database}-wal`]) writeFileSync(path, '', { mode: 0o644 });
    writeFileSync(`${database}-shm`, '', { mode: 0o600 });
    secureSqliteFiles(database, { uid: statSync(database).uid, logger: quiet });
    expect([mode(dir), mode(database), mode(`${database}-wal`), mode(`${database}-shm`)]).toEqual([0o755, 0o600, 0o600, 0o600]);
    expect(quiet.warn).toHaveBeenCalledTimes(1);
    expect(quiet.warn.mock.calls[0][0]).toBe(`tightened the modes of ${database} (was 0644), ${database}-wal (was 0644) to 0600`);
  });

  it('refuses, in one line, a readable file it does not own', () => {
    const database = join(dir, 'oauth.sqlite');
    writeFileSync(database, '', { mode: 0o640 });
    const owner = statSync(database).uid;
    const stranger = owner + 4242;
    expect(() => secureSqliteFiles(database, { uid: stranger, logger: quiet })).toThrow(
      `${database} is mode 0640 (readable beyond its owner) and owned by uid ${owner}, not by this process (uid ${stranger}): run "chmod 600 ${database}" or start the service as its owner`,
    );
    expect(mode(database)).toBe(0o640);
  });

  it('accepts a file of another owner that is already private', () => {
    const database = join(dir, 'oauth.sqlite');
    writeFileSync(database, '', { mode: 0o600 });
    expect(() => secureSqliteFiles(database, { uid: statSync(database).uid + 1, logger: quiet })).not.toThrow();
  });
});
