import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const LIBRARY = join(ROOT, 'libs');

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|js|mjs)$/.test(entry.name)) yield path;
  }
}

/** Every module specifier of a file: import/export … from, import(), require(), jest.mock(). */
const SPECIFIERS = /(?:from\s+|import\s+|import\s*\(\s*|require\s*\(\s*|jest\.mock\s*\(\s*)['"]([^'"]+)['"]/g;

/** Module specifiers of import/export … from, a side-effect import, import() and a bare require() (not `params.require('code')`). */
const PACKAGE_IMPORTS = /(?:\bfrom\s+|^import\s+|\bimport\s*\(\s*|(?<![.\w])require\s*\(\s*)['"]([^'"]+)['"]/gm;

/** [file, specifier] pairs in `dirs` whose specifier reaches into libs/ by a path. */
function pathImportsIntoLibs(dirs: string[]): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIERS)) {
        if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue;
        const target = resolve(file, '..', specifier);
        if (target === LIBRARY || target.startsWith(`${LIBRARY}/`)) found.push(`${relative(ROOT, file)}: ${specifier}`);
      }
    }
  }
  return found;
}

// The service and its tests use the library as any host would: only through 'nest-oauth-server'
// and 'nest-oauth-server/testing' (issue 14), never a path into libs/.
describe('import boundary', () => {
  it('src/, test/ and bench/ import the library only by its package name', () => {
    expect(pathImportsIntoLibs(['src', 'test', 'bench'])).toEqual([]);
  });

  it('the library imports nothing of the service', () => {
    const found: string[] = [];
    for (const file of sourceFiles(join(LIBRARY, 'oauth-server', 'src'))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIERS)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(file, '..', specifier);
        if (!target.startsWith(join(LIBRARY, 'oauth-server', 'src'))) found.push(`${relative(ROOT, file)}: ${specifier}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('every package the published code imports is a declared dependency or peer (optional ones marked so)', () => {
    const manifest = JSON.parse(readFileSync(join(LIBRARY, 'oauth-server', 'package.json'), 'utf8'));
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const undeclared = new Set<string>();
    for (const file of sourceFiles(join(LIBRARY, 'oauth-server', 'src'))) {
      if (/\.spec\.ts$/.test(file)) continue;
      // `import type` leaves nothing in the published JavaScript.
      const code = readFileSync(file, 'utf8').replace(/^import type .*$/gm, '');
      for (const [, specifier] of code.matchAll(PACKAGE_IMPORTS)) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!declared.has(name)) undeclared.add(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect([...undeclared]).toEqual([]);
    // The testing helpers' supertest is the host's test dependency, not a runtime one.
    expect(manifest.peerDependenciesMeta?.supertest).toEqual({ optional: true });
  });
});
