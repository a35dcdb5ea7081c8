// Where a page's start-up spends the main thread: loads PATH (signed in with COOKIE when
// given) in chromium with the CPU slowed 4x, records a trace, and prints the long tasks (over
// 50 ms) with the events inside each, summed by name, then each layout shift and what moved.
// For a release server:
//   node bench/trace-boot.mjs http://127.0.0.1:3000/start ['samverka_session=…']
import { openPhone, loadAndSettle } from './phone.mjs';

const [url, cookie] = process.argv.slice(2);
const { browser, page, cdp } = await openPhone(url, cookie);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
await cdp.send('Tracing.start', {
  categories: 'toplevel,disabled-by-default-devtools.timeline,devtools.timeline,v8,v8.execute,disabled-by-default-v8.compile,blink.user_timing,loading',
  transferMode: 'ReportEvents',
});
await loadAndSettle(page, url);
await cdp.send('Tracing.end');
await done;
await browser.close();

// The page's main thread: the one that ran the page's HTML parsing.
const parse = events.find((e) => e.name === 'ParseHTML');
const main = events.filter((e) => e.pid === parse.pid && e.tid === parse.tid && e.ph === 'X');
const t0 = Math.min(...main.map((e) => e.ts));
console.log(`${events.length} events, ${main.length} on the main thread`);
const tasks = main.filter((e) => e.name === 'RunTask' && e.dur > 50_000);
for (const task of tasks) {
  const inside = main.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur);
  const byName = new Map();
  for (const e of inside) {
    const label = e.name + (e.args?.data?.functionName ? ` ${e.args.data.functionName}` : '') +
      (e.args?.data?.url ? ` ${new URL(e.args.data.url, url).pathname}` : '');
    byName.set(label, (byName.get(label) ?? 0) + e.dur);
  }
  console.log(`task at ${((task.ts - t0) / 1000).toFixed(0)} ms: ${(task.dur / 1000).toFixed(0)} ms`);
  for (const [label, dur] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 14)) {
    console.log(`  ${(dur / 1000).toFixed(1).padStart(8)} ms  ${label}`);
  }
}

for (const shift of events.filter((e) => e.name === 'LayoutShift' && e.args?.data?.is_main_frame)) {
  const data = shift.args.data;
  if (data.had_recent_input) continue;
  console.log(`layout shift at ${((shift.ts - t0) / 1000).toFixed(0)} ms: ${data.score.toFixed(4)}`);
  for (const node of data.impacted_nodes ?? []) {
    console.log(`  node ${node.node_id}: ${JSON.stringify(node.old_rect)} -> ${JSON.stringify(node.new_rect)}`);
  }
}
