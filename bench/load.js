'use strict';
// Load-generator child (pinned to its own core by run.js): a warm-up phase then a measured phase
// of one scenario; prints the measured autocannon result as JSON on stdout.
const autocannon = require('autocannon');
const { readFileSync } = require('node:fs');
const scenarios = require('./scenarios');

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const scenario = scenarios[job.scenario];
// A scenario's response check throws on a wrong answer (status or body shape); counted here, not
// left to crash autocannon's parser callback, so a run reports how many answers were wrong
// (warm-up included: a wrong answer there is as much a broken run).
const failed = { count: 0, samples: [] };
const checked = (requests) =>
  requests.map((request) => ({
    ...request,
    onResponse: (status, body, context, headers) => {
      try {
        request.onResponse?.(status, body, context, headers);
      } catch (error) {
        failed.count++;
        if (failed.samples.length < 3) failed.samples.push(`${status} ${error.message}: ${String(body).slice(0, 200)}`);
      }
    },
  }));

function phase(states, duration) {
  const pending = [...states];
  return autocannon({
    // Several URLs (instances of one service): autocannon gives connection i the URL i mod n.
    url: job.urls ?? job.url,
    connections: job.connections,
    duration,
    // Placeholder replaced per connection by setupClient: each connection owns its request
    // objects, so per-connection state (a chain's current token) lives in a closure.
    requests: [{ method: 'GET', path: '/' }],
    setupClient: (client) => client.setRequests(checked(scenario.connection(pending.pop(), job.client))),
  });
}

async function main() {
  await phase(job.states.warmup, job.warmup);
  const result = await phase(job.states.measured, job.duration);
  process.stdout.write(JSON.stringify({ ...result, checkFailures: failed.count, checkSamples: failed.samples }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
