import { QueryFailedError } from 'typeorm';
import { DatabaseUnavailableError, unavailabilityReason } from './database-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const pgFailure = (code: string) => new QueryFailedError('UPDATE ...', [], withCode(code));

describe('unavailabilityReason', () => {
  it.each([
    ['statement_timeout', pgFailure('57014'), 'timeout'],
    ['lock_timeout', pgFailure('55P03'), 'conflict'],
    ['deadlock', pgFailure('40P01'), 'conflict'],
    ['admin shutdown', pgFailure('57P01'), 'connection'],
    ['cannot connect now', pgFailure('57P03'), 'connection'],
    ['connection failure', pgFailure('08006'), 'connection'],
    ['disk full', pgFailure('53100'), 'disk_full'],
    ['read-only transaction', pgFailure('25006'), 'read_only'],
    ['connection refused', withCode('ECONNREFUSED'), 'connection'],
    ['pool acquire timeout', new Error('timeout exceeded when trying to connect'), 'connection'],
    ['query read timeout', new Error('Query read timeout'), 'connection'],
    ['connection terminated', new Error('Connection terminated unexpectedly'), 'connection'],
    ['query runner released by a connection error', new Error('Query runner already released. Cannot run queries anymore.'), 'connection'],
    ['SQLITE_BUSY', withCode('SQLITE_BUSY', 'SQLITE_BUSY: database is locked'), 'busy'],
    ['SQLITE_FULL', new QueryFailedError('INSERT', [], withCode('SQLITE_FULL')), 'disk_full'],
    ['SQLITE_READONLY', withCode('SQLITE_READONLY'), 'read_only'],
    ['SQLITE_IOERR', withCode('SQLITE_IOERR'), 'io'],
    ['SQLITE_CANTOPEN', withCode('SQLITE_CANTOPEN'), 'io'],
    ['our own deadline', new DatabaseUnavailableError('timeout', 'late'), 'timeout'],
  ])('%s is temporary unavailability (%s)', (_name, error, reason) => {
    expect(unavailabilityReason(error)).toBe(reason);
  });

  it.each([
    ['unique violation', pgFailure('23505')],
    ['syntax error', pgFailure('42601')],
    ['SQLITE_CONSTRAINT', withCode('SQLITE_CONSTRAINT')],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'string'],
    ['nothing', undefined],
  ])('%s is not', (_name, error) => {
    expect(unavailabilityReason(error)).toBeUndefined();
  });
});
