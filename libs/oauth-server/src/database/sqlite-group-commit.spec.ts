import type { SqlExecutor } from './sql-executor';
import { SqliteGroupCommit } from './sqlite-group-commit';
import { UnitOfWork } from './unit-of-work';

/** A fake connection that records statements; `failCommit` decides whether a COMMIT fails. */
function fakeConnection(failCommit: () => Error | undefined) {
  const statements: string[] = [];
  const sql: SqlExecutor = {
    all: async () => [],
    run: async (statement) => {
      statements.push(statement);
      if (statement === 'COMMIT') {
        const error = failCommit();
        if (error) throw error;
      }
      return 1;
    },
  };
  return { sql, statements };
}

/** Collects units scheduled in the same tick into one group, as the SQLite queue does. */
function groupCommit(sql: SqlExecutor) {
  let tasks: (() => Promise<void>)[] = [];
  const commit = new SqliteGroupCommit(
    () => sql,
    (task) => tasks.push(task),
  );
  const flush = async () => {
    const pending = tasks;
    tasks = [];
    for (const task of pending) await task();
  };
  return { commit, flush };
}

describe('SqliteGroupCommit', () => {
  it('fails a whole group at once when the database is unavailable, instead of re-running each unit (which waited out busy_timeout once per unit)', async () => {
    const busy = Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' });
    const { sql, statements } = fakeConnection(() => busy);
    const { commit, flush } = groupCommit(sql);
    const runs: number[] = [];
    const results = [1, 2, 3].map((n) => commit.transaction(async () => runs.push(n)).catch((error: Error) => error.message));
    await flush();
    expect(await Promise.all(results)).toEqual([busy.message, busy.message, busy.message]);
    expect(runs).toEqual([1, 2, 3]);
    expect(statements.filter((s) => s === 'COMMIT')).toHaveLength(1);
  });

  it('still re-runs units alone when the failure may be one unit\'s own', async () => {
    let commits = 0;
    const { sql } = fakeConnection(() => (++commits === 1 ? Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' }) : undefined));
    const { commit, flush } = groupCommit(sql);
    const results = [1, 2].map((n) => commit.transaction(async () => n));
    await flush();
    expect(await Promise.all(results)).toEqual([1, 2]);
    expect(commits).toBe(3);
  });

  it('drops a unit refused before COMMIT (its client disconnected) and commits the others without it', async () => {
    const { sql, statements } = fakeConnection(() => undefined);
    const { commit, flush } = groupCommit(sql);
    const disconnect = new AbortController();
    const unit = new UnitOfWork(60_000, disconnect.signal);
    const refused = unit.race(
      commit.transaction(async (s) => {
        await s.run('INSERT late', []);
        disconnect.abort();
      }, unit),
    );
    const ok = commit.transaction(async (s) => s.run('INSERT ok', []));
    await flush();
    await expect(refused).rejects.toMatchObject({ reason: 'aborted' });
    expect(await ok).toBe(1);
    expect(statements).toEqual(['BEGIN', 'INSERT late', 'INSERT ok', 'ROLLBACK', 'BEGIN', 'INSERT ok', 'COMMIT']);
  });

  it('never runs a unit whose deadline passed while it was queued', async () => {
    const { sql, statements } = fakeConnection(() => undefined);
    const { commit, flush } = groupCommit(sql);
    const unit = new UnitOfWork(1);
    const late = unit.race(commit.transaction(async (s) => s.run('INSERT late', []), unit)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await late).toMatchObject({ reason: 'timeout' });
    await flush();
    expect(statements).toEqual([]);
  });
});
