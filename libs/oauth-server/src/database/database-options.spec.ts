import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataSourceOptions } from './database-options';

describe('buildDataSourceOptions (SQLite)', () => {
  it('hands TypeORM sqlite3 whose verbose() does not wrap every call in stack-trace capture', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-options-'));
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sqlite3 = require('sqlite3');
      const options = buildDataSourceOptions({ url: `sqlite:${join(dir, 'x.sqlite')}` }) as { driver: { verbose(): unknown } };
      const before = { prepare: sqlite3.Database.prototype.prepare, run: sqlite3.Database.prototype.run };
      expect(options.driver.verbose()).toBe(sqlite3);
      expect(sqlite3.Database.prototype.prepare).toBe(before.prepare);
      expect(sqlite3.Database.prototype.run).toBe(before.run);
      expect(Object.getPrototypeOf(options.driver)).toBe(sqlite3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
