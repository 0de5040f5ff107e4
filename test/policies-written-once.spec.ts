import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Issue 14: each policy is written once. These checks fail when a second copy appears in the library's or the service's sources
 * (the behaviour of each policy is tested where it lives: scope.spec.ts, oauth-exception.filter.spec.ts,
 * custom-grant and refresh-token-families e2e specs).
 */
const repo = join(__dirname, '..');
const roots = [join(repo, 'libs', 'oauth-server', 'src'), join(repo, 'src')];
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
/** Code only: comments may name a policy. */
const code = (path: string) =>
  readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
/** Paths relative to the library's src/, or to the service's src/ prefixed "service:". */
const filesMatching = (pattern: RegExp) =>
  roots
    .flatMap((root, i) => sources(root).filter((path) => pattern.test(code(path))).map((path) => (i === 0 ? '' : 'service:') + relative(root, path).replace(/\\/g, '/')))
    .sort();

describe('policies written once', () => {
  it('one control-character pattern', () => {
    expect(filesMatching(/\\u0000-\\u001f|\\x00-\\x1f/i)).toEqual(['common/control-characters.ts']);
  });

  it('one definition of the no-store headers', () => {
    expect(filesMatching(/['"`]no-store['"`]|['"`]no-cache['"`]/)).toEqual(['oauth/no-store.ts']);
  });

  it('one scope policy for requests (registration only validates the syntax)', () => {
    expect(filesMatching(/Scope\.parseStrict\(/)).toEqual(['clients/clients.service.ts', 'common/scope.ts']);
  });

  it('one way to start a family', () => {
    expect(filesMatching(/\.createFamily\(/)).toEqual(['token/refresh-tokens/refresh-token-families.service.ts']);
  });
});
