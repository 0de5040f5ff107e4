import { Logger } from '@nestjs/common';
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;
/** The database and the files SQLite keeps beside it (WAL mode; a rollback journal while migrating). */
const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

export interface SqliteFileModeOptions {
  /** The uid the process runs as (injectable for tests); files of other users are not touched. */
  uid?: number;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * The SQLite file holds the private signing keys and the successor-derivation key: whoever reads it
 * can mint access tokens that introspect active. SQLite creates a new database `0644 & ~umask` and
 * gives its -wal and -shm files the database file's mode, so the database is created here first,
 * 0600 whatever the umask, and the directory 0700 when it is created here. Files of an existing
 * installation that group or others may read are tightened to 0600 (one log line); when that is not
 * possible (another owner, a read-only file system) the service refuses to start with one line.
 * An existing directory is left as it is: it may be shared (`sqlite:/home/me/oauth.sqlite`).
 */
export function secureSqliteFiles(database: string, options: SqliteFileModeOptions = {}): void {
  if (process.platform === 'win32') return;
  const uid = options.uid ?? process.getuid!();
  createDirectory(dirname(database));
  createDatabaseFile(database);
  const tightened: string[] = [];
  for (const suffix of SIDE_FILES) {
    const path = `${database}${suffix}`;
    let mode: number;
    let owner: number;
    try {
      ({ mode, uid: owner } = statSync(path));
    } catch {
      continue; // not there (yet): SQLite will create it with the database file's mode
    }
    if ((mode & 0o077) === 0) continue;
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    // root may change any file's mode; anyone else only their own.
    if (owner !== uid && uid !== 0) {
      throw new Error(`${path} is mode ${octal} (readable beyond its owner) and owned by uid ${owner}, not by this process (uid ${uid}): run "chmod 600 ${path}" or start the service as its owner`);
    }
    try {
      chmodSync(path, FILE_MODE);
    } catch (error) {
      throw new Error(`${path} is mode ${octal} (readable beyond its owner) and cannot be changed to 0600 (${(error as NodeJS.ErrnoException).code}): run "chmod 600 ${path}"`);
    }
    tightened.push(`${path} (was ${octal})`);
  }
  if (tightened.length > 0) (options.logger ?? new Logger('Database')).warn(`tightened the modes of ${tightened.join(', ')} to 0600`);
}

function createDirectory(directory: string): void {
  const first = mkdirSync(directory, { recursive: true, mode: DIRECTORY_MODE });
  if (first === undefined) return;
  // mkdir's mode is filtered by the umask: set it exactly on every directory made here.
  let path = first;
  chmodSync(path, DIRECTORY_MODE);
  for (const part of relative(first, directory).split(sep).filter(Boolean)) {
    path = join(path, part);
    chmodSync(path, DIRECTORY_MODE);
  }
}

function createDatabaseFile(database: string): void {
  if (existsSync(database)) return;
  let fd: number;
  try {
    fd = openSync(database, 'wx', FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // another process was first
    throw error;
  }
  try {
    // An empty file is a valid empty database for SQLite; the fchmod undoes the umask.
    fchmodSync(fd, FILE_MODE);
  } finally {
    closeSync(fd);
  }
}
