// `node -r ./test/support/library-source.js src/main.ts` (runTs): 'nest-oauth-server' from the
// library's sources, as tsconfig `paths` and Jest's moduleNameMapper resolve it, instead of the
// workspace package's dist/ (which may be missing or older than the sources).
const Module = require('node:module');
const { join } = require('node:path');

const SOURCES = {
  'nest-oauth-server': join(__dirname, '..', '..', 'libs', 'oauth-server', 'src', 'index.ts'),
  'nest-oauth-server/testing': join(__dirname, '..', '..', 'libs', 'oauth-server', 'src', 'testing', 'index.ts'),
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, SOURCES[request] ?? request, ...rest);
};
