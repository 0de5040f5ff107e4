// Shared by `npm start` (scripts/start.js) and `npm run cli` (scripts/cli.js): run the compiled
// build in dist/, compiling first only when it is missing or older than the sources and the compiler
// is installed. A production install (`npm prune --omit=dev`, the Dockerfile) has no compiler and
// needs none: it runs the dist/ its build stage made. Never a no-op `tsc` at every call.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
// tsc rewrites its build-info file on every build that changed something; we touch it after a build
// we ran ourselves, so it marks "dist/ is as new as the sources".
const STAMP = join(ROOT, 'dist', '.tsbuildinfo');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// The service runs on the built library (node_modules/nest-oauth-server → libs/oauth-server/dist),
// so the library is built first, as `npm run build` does.
const LIBRARY_SRC = join('libs', 'oauth-server', 'src');
const LIBRARY_TSCONFIG = join('libs', 'oauth-server', 'tsconfig.lib.json');

function newestSourceMtime() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const dir of ['src', LIBRARY_SRC]) if (existsSync(join(ROOT, dir))) visit(join(ROOT, dir));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', LIBRARY_TSCONFIG]) if (existsSync(join(ROOT, file))) visit(join(ROOT, file));
  return newest;
}

class BuildError extends Error {}

/**
 * Makes sure dist/<entry>.js exists and is current (compiling only when needed); returns its path.
 * Throws BuildError (one clear sentence) when it cannot.
 */
function buildIfStale(entry, log = (line) => process.stderr.write(`${line}\n`)) {
  const target = join(ROOT, 'dist', `${entry}.js`);
  const built = existsSync(target) && existsSync(STAMP);
  const stale = !built || newestSourceMtime() > statSync(STAMP).mtimeMs;
  if (!stale) return target;
  if (!existsSync(TSC)) {
    if (existsSync(target)) {
      log('warning: sources are newer than dist/ and no compiler is installed; running the existing build');
      return target;
    }
    throw new BuildError(`dist/${entry}.js is missing: run \`npm run build\` (with dev dependencies installed) first`);
  }
  try {
    // Compiler output goes to stderr: the CLI's stdout is JSON only.
    for (const project of [LIBRARY_TSCONFIG, 'tsconfig.build.json']) {
      execFileSync(process.execPath, [TSC, '-p', join(ROOT, project)], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    }
  } catch {
    throw new BuildError('the build failed (see the compiler output above)');
  }
  const now = new Date();
  utimesSync(STAMP, now, now);
  return target;
}

/** buildIfStale for an entry point: on failure one line on stderr and exit 1. */
function ensureBuilt(entry) {
  try {
    return buildIfStale(entry);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
}

module.exports = { buildIfStale, ensureBuilt, BuildError };
