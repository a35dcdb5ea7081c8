// Shared by the start-up benches: Debian's chromium as a phone (360 px wide, the CPU slowed 4x),
// signed in with COOKIE ('samverka_session=…') when given.
import { chromium } from '@playwright/test';

export async function openPhone(url, cookie) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  if (cookie) {
    const [name, value] = cookie.split(/=(.*)/s);
    await context.addCookies([{ name, value, url }]);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return { browser, page, cdp };
}

/** Loads the page, uses it once if it starts its app at first use, and lets it settle. */
export async function loadAndSettle(page, url) {
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  // A public page read without a session starts the app at first use: use it.
  if ((await page.evaluate(() => document.documentElement.dataset.boot)) === 'first-use') {
    await page.keyboard.press('Shift');
    await page.waitForLoadState('networkidle');
  }
  await page.waitForTimeout(3000);
}
