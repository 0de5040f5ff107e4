/**
 * Errors that mean "the database cannot do this right now" rather than "this request is wrong":
 * an outage, a lock or statement timeout, a full disk, a read-only file. They are answered
 * `503 temporarily_unavailable` with Retry-After (the client should retry the same request later,
 * with the same refresh token: nothing was committed), never `500 server_error`. The one place that
 * maps driver errors to that meaning.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';

  constructor(
    /** A short, stable reason for logs and metrics: timeout, connection, busy, conflict, disk_full, read_only, io, aborted. */
    readonly reason: string,
    message: string,
    /** The driver's error, when there was one. */
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** PostgreSQL SQLSTATEs (Appendix A) that are the server's state, not the statement's fault. */
const POSTGRES_CODES: [RegExp, string][] = [
  [/^57014$/, 'timeout'], // query_canceled: statement_timeout
  // A lost lock conflict is one transaction's bad luck, not the database being down: 503 (the
  // transaction rolled back whole, the retry is safe) but no unavailability episode.
  [/^55P03$/, 'conflict'], // lock_not_available: lock_timeout, NOWAIT
  [/^40P01$/, 'conflict'], // deadlock_detected
  [/^40001$/, 'conflict'], // serialization_failure
  [/^25P03$/, 'timeout'], // idle_in_transaction_session_timeout
  [/^57P0[1-5]$/, 'connection'], // admin_shutdown, crash_shutdown, cannot_connect_now, ...
  [/^08/, 'connection'], // connection exceptions
  [/^53/, 'disk_full'], // insufficient resources: disk full, out of memory, too many connections
  [/^58/, 'io'], // system error (I/O)
  [/^25006$/, 'read_only'], // read_only_sql_transaction (a standby)
];

/** SQLite result codes (sqlite3 puts the primary name in `code`). */
const SQLITE_CODES: Record<string, string> = {
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_FULL: 'disk_full',
  SQLITE_READONLY: 'read_only',
  SQLITE_IOERR: 'io',
  SQLITE_CANTOPEN: 'io',
  SQLITE_PROTOCOL: 'busy',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Messages of node-postgres / pg-pool / TypeORM that carry no code. */
const MESSAGES: [RegExp, string][] = [
  [/timeout exceeded when trying to connect|Connection terminated|connection timeout|Query read timeout/i, 'connection'],
  [/Client has encountered a connection error|Connection terminated unexpectedly|not queryable/i, 'connection'],
  // TypeORM releases a query runner whose connection failed (the server went away mid-transaction).
  [/Query runner already released/, 'connection'],
  [/SQLITE_(BUSY|LOCKED)/, 'busy'],
  [/SQLITE_FULL|database or disk is full/, 'disk_full'],
  [/SQLITE_READONLY|readonly database/, 'read_only'],
  [/SQLITE_(IOERR|CANTOPEN)/, 'io'],
];

/** The reason a database error is temporary unavailability, or undefined for any other error. */
export function unavailabilityReason(error: unknown): string | undefined {
  if (error instanceof DatabaseUnavailableError) return error.reason;
  // Not `instanceof Error`: errors made by a native driver may come from another realm (jest's vm).
  if (typeof error !== 'object' || error === null) return undefined;
  const candidates = [error, (error as { driverError?: unknown }).driverError, (error as { cause?: unknown }).cause];
  for (const candidate of candidates) {
    if (!candidate || typeof candidate !== 'object') continue;
    const code = String((candidate as { code?: unknown }).code ?? '');
    if (SQLITE_CODES[code]) return SQLITE_CODES[code];
    if (NETWORK_CODES.has(code)) return 'connection';
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const match = POSTGRES_CODES.find(([pattern]) => pattern.test(code));
      if (match) return match[1];
    }
  }
  const message = String((error as { message?: unknown }).message ?? '');
  return MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}
