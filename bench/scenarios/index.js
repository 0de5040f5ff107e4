'use strict';
// A scenario is one small object: `name`, `floor` (whether the floor server implements it),
// optional `defaults` ({ rounds, warmup, duration }: used unless BENCH_ROUNDS / BENCH_WARMUP /
// BENCH_DURATION are set), `prepare(ctx)` run in the parent against the database before the
// server starts (ctx: db, client, connections, issuer; returns `{ warmup, measured }`, one starting
// state per connection each), and `connection(state, client)` run in the load-generator child,
// returning that connection's autocannon `requests`.
module.exports = {
  refresh_token: require('./refresh-token'),
  refresh_token_dpop: require('./refresh-token-dpop'),
  client_credentials: require('./client-credentials'),
  introspection: require('./introspection'),
};
