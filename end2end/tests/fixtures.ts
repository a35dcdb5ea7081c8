import { test as base, expect } from '@playwright/test';
export { expect };
export type { Page, BrowserContext, Browser } from '@playwright/test';

/**
 * Every test runs with the server's Content-Security-Policy enforced, and fails if the browser
 * reports a violation in any page of its context (a blocked script would break hydration
 * silently otherwise).
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context, javaScriptEnabled }, use) => {
      const violations: string[] = [];
      const watch = (page: import('@playwright/test').Page) =>
        page.on('console', (message) => {
          const text = message.text();
          if (text.includes('Content Security Policy') || text.includes('Content-Security-Policy')) {
            violations.push(`${page.url()}: ${text}`);
          }
        });
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(violations);
      // With JavaScript off, chromium reports every script, style and image it did not load
      // as blocked by a policy of 'none' (its own, not the server's): nothing to learn there.
      if (javaScriptEnabled !== false) {
        expect(violations, 'Content-Security-Policy violations').toEqual([]);
      }
    },
    { auto: true },
  ],
});
