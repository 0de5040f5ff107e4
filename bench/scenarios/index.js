'use strict';
// A scenario is one small object: `name`, `floor` (whether the floor server implements it),
// `prepare(ctx)` run in the parent against the database before the server starts (returns
// `{ warmup, measured }`, one starting state per connection each), and `connection(state, client)`
// run in the load-generator child, returning that connection's autocannon `requests`.
module.exports = {
  refresh_token: require('./refresh-token'),
};
