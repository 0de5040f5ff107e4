// E2e specs over HTTP (supertest) against the real application, each file on its own SQLite file.
/** @type {import('jest').Config} */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // NestJS 12 and jose 6 (a dependency of nest-oauth-server) ship ES modules only; Jest's module
    // loader cannot load those from CommonJS, so they are transpiled (see the transformer).
    '^.+/node_modules/.+\\.js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose|file-type|strtok3|token-types|@tokenizer|uint8array-extras)/)'],
  testEnvironment: 'node',
  // NestJS 12 expects the application to load it (main.ts does, first thing).
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
};
