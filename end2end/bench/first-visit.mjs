// Bytes a first visit downloads, as the browser receives them (compressed), per request.
// Run against a release server: `node bench/first-visit.mjs http://127.0.0.1:3000/ [path…]`
// (from end2end/, after `npm ci`). Uses Debian's chromium like the tests.
//
// A public page starts the app only at the visitor's first use (`<html data-boot="first-use">`):
// for those, the visit is counted twice — as a reader who only reads, and once they have
// started to use the page (a key pressed, the app loaded and hydrated). Other pages start the
// app on their own once loaded; they are counted after it has hydrated.
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000/';
const paths = process.argv.length > 3 ? process.argv.slice(3) : ['/'];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

function report(label, urls, sizes) {
  let total = 0;
  console.log(label);
  for (const [id, size] of sizes) {
    total += size;
    console.log(`  ${String(size).padStart(8)}  ${urls.get(id)}`);
  }
  console.log(`  ${String(total).padStart(8)}  total (bytes on the wire, headers included)`);
}

for (const path of paths) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  const sizes = new Map();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
  await page.goto(new URL(path, base).toString());
  await page.waitForLoadState('networkidle');
  const boot = await page.evaluate(() => document.documentElement.dataset.boot);
  if (boot === 'first-use') {
    report(`first visit to ${path}, read only`, urls, sizes);
    await page.keyboard.press('Shift');
  }
  await page.waitForSelector('[data-testid="net-status"][data-state="online"]');
  await page.waitForLoadState('networkidle');
  report(`first visit to ${path}${boot === 'first-use' ? ', once used (the app loaded)' : ''}`, urls, sizes);
  await context.close();
}
await browser.close();
