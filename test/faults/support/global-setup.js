// Builds dist/ once: every fault scenario runs the real service (`node dist/main.js`).
require('ts-node/register/transpile-only');
module.exports = async () => {
  const { buildDist } = require('../../support/service-process');
  buildDist();
};
