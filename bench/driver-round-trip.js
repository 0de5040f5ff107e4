'use strict';
// `node bench/driver-round-trip.js`: what one SQLite statement costs through each driver, on a
// file like the service's (WAL, synchronous=FULL): the primary-key read of the hot path through
// node-sqlite3 (kept statement: one libuv thread-pool trip and a callback) and through
// better-sqlite3 (synchronous, on the main thread); one by one and with 32 in flight, as the
// service's 32 connections have. Then a one-row commit each way (the fsync). Issue 17 item 5.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const sqlite3 = require('sqlite3');
const Database = require('better-sqlite3');

const READS = Number(process.env.READS ?? 20000);
const COMMITS = Number(process.env.COMMITS ?? 200);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driver-rt-'));
const file = path.join(dir, 'db.sqlite');

const setup = new Database(file);
setup.pragma('journal_mode = WAL');
setup.exec('CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT NOT NULL)');
const ids = Array.from({ length: 10000 }, () => randomBytes(32).toString('hex'));
const insert = setup.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
setup.transaction(() => ids.forEach((id) => insert.run(id, randomBytes(100).toString('hex'))))();
setup.close();

const microseconds = (start, n) => Number(process.hrtime.bigint() - start) / 1000 / n;

async function asyncDriver() {
  const db = await new Promise((resolve, reject) => {
    const opened = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
  });
  await new Promise((resolve) => db.exec('PRAGMA synchronous = FULL', resolve));
  const statement = db.prepare('SELECT id, v FROM t WHERE id = ?');
  const read = (id) => new Promise((resolve, reject) => statement.all([id], (error, rows) => (error ? reject(error) : resolve(rows))));
  let start = process.hrtime.bigint();
  for (let i = 0; i < READS; i++) await read(ids[i % ids.length]);
  const sequential = microseconds(start, READS);
  start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < READS) await read(ids[next++ % ids.length]);
  }));
  const concurrent = microseconds(start, READS);
  const run = (sql, params = []) => new Promise((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));
  start = process.hrtime.bigint();
  for (let i = 0; i < COMMITS; i++) {
    await run('BEGIN');
    await run('INSERT INTO t (id, v) VALUES (?, ?)', [`a${i}`, 'x']);
    await run('COMMIT');
  }
  const commit = microseconds(start, COMMITS);
  await new Promise((resolve) => statement.finalize(resolve));
  await new Promise((resolve) => db.close(resolve));
  return { sequential, concurrent, commit };
}

function syncDriver() {
  const db = new Database(file);
  db.pragma('synchronous = FULL');
  const statement = db.prepare('SELECT id, v FROM t WHERE id = ?');
  let start = process.hrtime.bigint();
  for (let i = 0; i < READS; i++) statement.get(ids[i % ids.length]);
  const sequential = microseconds(start, READS);
  const insertRow = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  const commitOne = db.transaction((i) => insertRow.run(`b${i}`, 'x'));
  start = process.hrtime.bigint();
  for (let i = 0; i < COMMITS; i++) commitOne(i);
  const commit = microseconds(start, COMMITS);
  db.close();
  return { sequential, concurrent: sequential, commit };
}

(async () => {
  const a = await asyncDriver();
  const b = syncDriver();
  const row = (name, r) => `| ${name} | ${r.sequential.toFixed(1)} | ${r.concurrent.toFixed(1)} | ${r.commit.toFixed(0)} |`;
  process.stdout.write(
    [
      `${READS} primary-key reads, ${COMMITS} one-row commits (synchronous=FULL, WAL), Node ${process.version}, ${os.cpus().length} cores`,
      '| driver | µs per read, one by one | µs per read, 32 in flight | µs per commit |',
      '|---|---:|---:|---:|',
      row('sqlite3 6 (kept statement)', a),
      row('better-sqlite3 12 (synchronous)', b),
    ].join('\n') + '\n',
  );
  fs.rmSync(dir, { recursive: true, force: true });
})();
