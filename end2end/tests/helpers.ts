import { expect, type Page } from '@playwright/test';

/**
 * Waits until the wasm has taken over the page: the header (the network status only updates
 * after hydration) and the page itself (its code may come later, in its own chunk; it marks
 * `<html data-page>` with its path when it has hydrated).
 */
export async function waitForHydration(page: Page) {
  // A public page starts its app at the visitor's first use (`<html data-boot="first-use">`):
  // use it the way a keyboard user would, with a key that changes nothing.
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.bootScript ?? '')).toBe('ready');
  if ((await page.evaluate(() => document.documentElement.dataset.boot)) === 'first-use') {
    await page.keyboard.press('Shift');
  }
  await expect(page.getByTestId('net-status')).toHaveAttribute('data-state', /online|offline/);
  // A part of the page inside a Suspense may hydrate after the marker, once what it waits
  // for has arrived: let the network settle first.
  await page.waitForLoadState('networkidle');
  // Compared in the page: after a click the address changes once the new page is in place.
  await expect
    .poll(() => page.evaluate(() => document.documentElement.dataset.page === location.pathname))
    .toBe(true);
}

/** The password of every account the tests make, and of the demo accounts. */
export const PASSWORD = 'korrekt häst batteri';
export const DEMO_PASSWORD = 'samverka-demo';

/** A contact no other test uses (the server keeps its database for the whole run). */
export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
}

/** Signs a new volunteer up in `district` and waits for their start page. */
export async function signUp(page: Page, name: string, contact: string, district = 'Sicklaön') {
  await page.goto('/registrera');
  await waitForHydration(page);
  await page.getByLabel('Namn eller smeknamn').fill(name);
  await page.getByLabel('Mobilnummer eller e-post').fill(contact);
  await page.getByLabel('Lösenord').fill(PASSWORD);
  await page.getByLabel(district).check();
  await page.getByLabel('Jag har läst och godkänner').check();
  await page.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(page).toHaveURL('/start');
}

export async function signIn(page: Page, contact: string, password = PASSWORD) {
  await page.goto('/logga-in');
  await waitForHydration(page);
  await page.getByLabel('Mobilnummer eller e-post').fill(contact);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page).toHaveURL('/start');
}

/** The service worker is installed and controls the page (so a reload works offline). */
export async function controlledByServiceWorker(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}
