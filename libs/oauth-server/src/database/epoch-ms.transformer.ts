import type { ValueTransformer } from 'typeorm';

/**
 * Instants are stored as epoch milliseconds in a BIGINT: the same comparisons on SQLite and
 * PostgreSQL, no time-zone conversion. node-postgres returns BIGINT as a string, hence `from`.
 */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};
