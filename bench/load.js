'use strict';
// Load-generator child (pinned to its own core by run.js): a warm-up phase then a measured phase
// of one scenario; prints the measured autocannon result as JSON on stdout.
const autocannon = require('autocannon');
const { readFileSync } = require('node:fs');
const scenarios = require('./scenarios');

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const scenario = scenarios[job.scenario];

function phase(states, duration) {
  const pending = [...states];
  return autocannon({
    url: job.url,
    connections: job.connections,
    duration,
    // Placeholder replaced per connection by setupClient: each connection owns its request
    // objects, so per-connection state (a chain's current token) lives in a closure.
    requests: [{ method: 'GET', path: '/' }],
    setupClient: (client) => client.setRequests(scenario.connection(pending.pop(), job.client)),
  });
}

async function main() {
  await phase(job.states.warmup, job.warmup);
  const result = await phase(job.states.measured, job.duration);
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
