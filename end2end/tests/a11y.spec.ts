import { test, expect } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { waitForHydration } from './helpers';

const pages = [
  { name: 'home', path: '/', status: 200 },
  { name: '404', path: '/finns-inte', status: 404 },
  { name: 'error', path: '/fel', status: 500 },
  { name: 'accessibility statement', path: '/tillganglighet', status: 200 },
  { name: 'open needs', path: '/behov', status: 200 },
  { name: 'open needs, filtered, second page', path: '/behov?typ=micro_grant&sida=2', status: 200 },
  // The demo's night walkers and their 800 kr request (`db::demo::stable_id("need", …)`).
  { name: 'a need', path: '/behov/e17bac82-2492-5c36-aad9-e4bfb0f75870', status: 200 },
  // The demo's Friday night walk, its coming occasions and free places.
  { name: 'an activity', path: '/behov/99fcf111-1a1b-59ba-a81f-829ba07542b5', status: 200 },
  { name: 'a group with its needs', path: '/grupper/00000000-0000-0000-0000-0000006a0001', status: 200 },
];


for (const lang of ['sv', 'en'] as const) {
  for (const { name, path, status } of pages) {
    test(`${name} page (${lang}) has no axe-core violations at 360 px`, async ({ page, baseURL }) => {
      await page.context().addCookies([{ name: 'samverka_lang', value: lang, url: baseURL! }]);

      const response = await page.goto(path);
      expect(response?.status()).toBe(status);
      await waitForHydration(page);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);

      const results = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
        .analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    });
  }
}

test('content reflows without horizontal scrolling at 320 px (400% zoom of 1280 px)', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const { path } of pages) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
  }
});

