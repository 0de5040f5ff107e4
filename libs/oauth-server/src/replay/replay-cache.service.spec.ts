import { createHash } from 'node:crypto';
import { Clock } from '../common/clock';
import type { DatabaseService } from '../database/database.service';
import type { SqlExecutor } from '../database/sql-executor';
import { ReplayCache } from './replay-cache.service';

describe('ReplayCache (unit)', () => {
  const now = 1_700_000_000_000;
  const clock = { now: () => now } as Clock;
  let calls: { sql: string; params: unknown[] }[];
  let changes: number;
  const database = {
    sqlRun: async <T>(work: (sql: SqlExecutor) => Promise<T>) =>
      work({
        all: async () => [],
        run: async (sql, params) => {
          calls.push({ sql, params });
          return changes;
        },
      }),
  } as unknown as DatabaseService;
  const cache = new ReplayCache(database, clock);
  beforeEach(() => {
    calls = [];
    changes = 1;
  });

  it('runs one atomic upsert that takes over only an expired row, with the id hashed', async () => {
    await expect(cache.useOnce('dpop', 'abc', now + 5000)).resolves.toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toMatch(/^INSERT INTO used_jtis .* ON CONFLICT \(namespace, id\) DO UPDATE .* WHERE used_jtis\.expires_at <= \$4$/);
    expect(calls[0].params).toEqual(['dpop', createHash('sha256').update('abc').digest('hex'), now + 5000, now]);
  });

  it('is false when the statement changed nothing (a live row exists)', async () => {
    changes = 0;
    await expect(cache.useOnce('client_assertion', 'abc', now + 5000)).resolves.toBe(false);
  });

  it('is false without touching the database for an expiry not in the future', async () => {
    await expect(cache.useOnce('dpop', 'abc', now)).resolves.toBe(false);
    expect(calls).toHaveLength(0);
  });

  it('refuses a malformed namespace or expiry (a programming error, not input)', async () => {
    await expect(cache.useOnce('DPoP proofs', 'abc', now + 1)).rejects.toThrow(/namespace/);
    await expect(cache.useOnce('dpop', 'abc', Number.NaN)).rejects.toThrow(/expiresAtMs/);
    await expect(cache.useOnce('dpop', 'abc', Infinity)).rejects.toThrow(/expiresAtMs/);
  });
});
