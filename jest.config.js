// Unit specs live beside the code, e2e specs in test/. Both run by `npm test`.
/** @type {import('jest').Config} */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/libs/oauth-server/src', '<rootDir>/libs/oauth-server/test', '<rootDir>/test'],
  // The library from its sources, under the name every importer uses (tsconfig.json `paths`).
  moduleNameMapper: {
    '^nest-oauth-server$': '<rootDir>/libs/oauth-server/src/index.ts',
    '^nest-oauth-server/testing$': '<rootDir>/libs/oauth-server/src/testing/index.ts',
  },
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // ESM-only packages (NestJS 12, jose 6, file-type): see the transformer.
    '^.+/node_modules/.+\\.js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose|file-type|strtok3|token-types|@tokenizer|uint8array-extras)/)'],
  testEnvironment: 'node',
  // NestJS 11 loaded it as a side effect of @nestjs/core; 12 expects the application to.
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
