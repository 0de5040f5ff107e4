// `npm run test:faults`: the fault-injection suite (test/faults/*.fault-spec.ts). Real service
// processes on SQLite and on a private PostgreSQL cluster, driven through shutdowns, kills, database
// outages, freezes, locks and a full disk. Needs root (tmpfs mount) and PostgreSQL 15's binaries.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testRegex: '.*\\.fault-spec\\.ts$',
  globalSetup: '<rootDir>/test/faults/support/global-setup.js',
  testTimeout: 120000,
};
