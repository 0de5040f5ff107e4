'use strict';
// `node bench/profile-summary.js <file.cpuprofile> [top] [skip-seconds]`: self and inclusive time
// of a V8 CPU profile (from BENCH_CPU_PROF) grouped by where the code lives (a node_modules
// package, a src/ folder, a node internal module, GC, idle), then the top functions. The first
// `skip-seconds` of samples (boot and warm-up) are left out. Used for docs/performance.md.
const fs = require('node:fs');

const [file, topArg, skipArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const skipUs = Number(skipArg ?? 0) * 1e6;
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const self = new Map();
const deltas = profile.timeDeltas;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += deltas[i] ?? 0;
  if (at < skipUs) continue;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(frame) {
  const { url, functionName } = frame;
  if (!url) return `(${functionName || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const src = /\/dist\/([^/]+)\//.exec(url) ?? /\/src\/([^/]+)\//.exec(url);
  if (src) return `service ${src[1]}/`;
  if (url.startsWith('node:internal/')) return `node ${url.slice(14).split('/').slice(0, 2).join('/').replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return `node ${url.slice(5)}`;
  return url.split('/').slice(-2).join('/');
}

const byArea = new Map();
const byFunction = new Map();
const inclusiveArea = new Map();
const inclusiveFunction = new Map();
const label = (callFrame) => `${callFrame.functionName || '(anonymous)'} ${area(callFrame)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
for (const [id, time] of self) {
  const { callFrame } = nodes.get(id);
  const a = area(callFrame);
  byArea.set(a, (byArea.get(a) ?? 0) + time);
  byFunction.set(label(callFrame), (byFunction.get(label(callFrame)) ?? 0) + time);
  // Inclusive: every area and function on the sample's stack, once each.
  const areas = new Set();
  const functions = new Set();
  for (let node = id; node !== undefined; node = parent.get(node)) {
    areas.add(area(nodes.get(node).callFrame));
    functions.add(label(nodes.get(node).callFrame));
  }
  for (const x of areas) inclusiveArea.set(x, (inclusiveArea.get(x) ?? 0) + time);
  for (const x of functions) inclusiveFunction.set(x, (inclusiveFunction.get(x) ?? 0) + time);
}
const pct = (time) => `${((100 * time) / total).toFixed(1).padStart(5)} %`;
const print = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(time)}  ${name}\n`);
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('self time by area', byArea);
print('self time by function', byFunction);
print('inclusive time by area', inclusiveArea);
print('inclusive time by function (service and framework frames)', new Map([...inclusiveFunction].filter(([name]) => / (service |@nestjs|express|router|pino|rxjs|typeorm|sqlite3|jsonwebtoken|@nestjs\/jwt)/.test(name))));
