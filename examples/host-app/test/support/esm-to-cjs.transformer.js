// Jest's module loader cannot load ES modules from CommonJS (Node's require(esm) can, at run time).
// NestJS 12 and jose 6 ship ESM only, so under Jest their files are transpiled to CommonJS; the
// `import.meta` properties they use have CommonJS equivalents, and dynamic import() becomes require.
const { createHash } = require('node:crypto');
const ts = require('typescript');

const IMPORT_META = [
  [/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href"],
  [/\bimport\.meta\.dirname\b/g, '__dirname'],
  [/\bimport\.meta\.filename\b/g, '__filename'],
  [/\bimport\.meta\.resolve\b/g, 'require.resolve'],
];

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update('esm-to-cjs-3\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    let code = source;
    // `const require = createRequire(import.meta.url)` is legal in a module but clashes with the
    // CommonJS wrapper's own `require`: an ES module has no other `require`, so it is renamed.
    if (/^\s*(const|let|var)\s+require\s*=/m.test(code)) code = code.replace(/\brequire\b/g, '__moduleRequire');
    for (const [pattern, replacement] of IMPORT_META) code = code.replace(pattern, replacement);
    const output = ts.transpileModule(code, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, esModuleInterop: true, sourceMap: false },
    });
    return { code: output.outputText };
  },
};
