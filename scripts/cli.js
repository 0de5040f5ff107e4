// `npm run cli -- <command>`: the compiled admin CLI, rebuilt first only when the sources changed.
require(require('./dist-freshness').ensureBuilt('cli'));
