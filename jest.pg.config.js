// `npm run test:pg`: the whole e2e suite against PostgreSQL, one schema per test file (see
// test/support/test-database.ts). Fails before any test when PostgreSQL is unreachable.
const base = require('./jest.config');

process.env.TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  globalSetup: '<rootDir>/test/support/require-postgres.js',
};
