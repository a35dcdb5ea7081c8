// Which functions a page's start-up spends the main thread in: loads PATH (signed in with
// COOKIE when given) in chromium with the CPU slowed 4x, samples the JavaScript and wasm stacks
// (V8's CPU profiler, every 100 µs) until the network is quiet and 3 s more, and prints the
// functions by self time and by total time (the time they were on the stack), and the time by
// crate. Rust names need a build that keeps them:
//   LEPTOS_WASM_OPT_FEATURES=-Oz,-g,--enable-bulk-memory,--enable-nontrapping-float-to-int \
//     cargo leptos build --release --split --wasm-debug
// then, against that server:
//   node bench/profile-boot.mjs http://127.0.0.1:3000/start ['samverka_session=…'] [TOP]
import { openPhone, loadAndSettle } from './phone.mjs';

const [url, cookie, top = '40'] = process.argv.slice(2);
const { browser, page, cdp } = await openPhone(url, cookie);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
await loadAndSettle(page, url);
const { profile } = await cdp.send('Profiler.stop');
await browser.close();

// Rust's legacy mangling: _ZN <len><part>... 17h<hash> E  →  part::part
function demangle(name) {
  const raw = name.replace(/^\$/, '');
  const m = raw.match(/^_ZN(.*)E$/);
  if (!m) return raw;
  const parts = [];
  let rest = m[1];
  while (rest.length) {
    const len = rest.match(/^(\d+)/);
    if (!len) break;
    const n = Number(len[1]);
    parts.push(rest.slice(len[1].length, len[1].length + n));
    rest = rest.slice(len[1].length + n);
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts
    .join('::')
    .replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
    .replace(/\$RF\$/g, '&').replace(/\$C\$/g, ',').replace(/\$u7b\$/g, '{').replace(/\$u7d\$/g, '}')
    .replace(/\$BP\$/g, '*').replace(/\$u5b\$/g, '[').replace(/\$u5d\$/g, ']')
    .replace(/\$u27\$/g, "'").replace(/\.\./g, '::');
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => {
  const f = n.callFrame;
  const name = demangle(f.functionName || '(anonymous)');
  const file = f.url ? new URL(f.url, url).pathname.split('/').pop() : '';
  return file && !name.includes('::') ? `${name} ${file}` : name;
};
const crateOf = (n) => {
  const name = demangle(n.callFrame.functionName || '');
  const m = name.match(/^<?(?:&(?:mut )?)?([a-z_][a-z0-9_]*)::/);
  if (m) return m[1];
  if (/^\(|^$/.test(name)) return name || '(anonymous)';
  return n.callFrame.url ? 'js' : name;
};

const self = new Map();
const total = new Map();
const crates = new Map();
const dts = profile.timeDeltas;
let all = 0;
profile.samples.forEach((id, i) => {
  const dt = (dts[i + 1] ?? 0) / 1000;
  const leaf = nodes.get(id);
  const l = label(leaf);
  if (l === '(idle)' || l === '(program)') return;
  all += dt;
  self.set(l, (self.get(l) ?? 0) + dt);
  crates.set(crateOf(leaf), (crates.get(crateOf(leaf)) ?? 0) + dt);
  const seen = new Set();
  for (let n = leaf; n; n = nodes.get(parent.get(n.id))) {
    const name = label(n);
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + dt);
  }
});

const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${ms.toFixed(1).padStart(9)} ms  ${name.slice(0, 150)}`);
  }
};
console.log(`busy (not idle) ${all.toFixed(0)} ms at 4x CPU`);
print('by crate (self time)', crates, 25);
print('by function, self time', self, Number(top));
print('by function, total time', total, Number(top));
