// `npm start`: the compiled server in THIS process (no child), so a signal sent to this process
// reaches the server's own handlers (graceful drain on SIGTERM). In production run
// `node dist/main.js` directly (see the Dockerfile): npm is then not in the signal path at all.
require(require('./dist-freshness').ensureBuilt('main'));
