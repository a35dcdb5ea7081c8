import { test, expect } from './fixtures';
import { waitForHydration } from './helpers';

test('home page is rendered by the server, in Swedish, with the priority areas', async ({ browser }) => {
  // No JavaScript at all: everything here came from the server.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto('/');

  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Samverka – engagemang en timme i taget');
  await expect(page.getByTestId('priority-areas')).toContainText('Trygg i hela Nacka');
  await expect(page.getByTestId('districts')).toContainText('Fisksätra');
  await expect(page.getByTestId('net-status')).toHaveAttribute('data-state', 'unknown');
  await context.close();
});

test('after hydration the header follows the network state', async ({ page, context }) => {
  await page.goto('/');
  const status = page.getByTestId('net-status');

  await expect(status).toHaveAttribute('data-state', 'online');
  await expect(status).toHaveText('Ansluten');

  await context.setOffline(true);
  await expect(status).toHaveAttribute('data-state', 'offline');
  await expect(status).toHaveText('Ingen anslutning');

  await context.setOffline(false);
  await expect(status).toHaveAttribute('data-state', 'online');
});

test('the language switch changes to English, is remembered, and switches back', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);

  await page.getByTestId('lang-switch').click();

  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Samverka – getting involved, one hour at a time');
  await expect(page.getByTestId('priority-areas')).toContainText('Safe throughout Nacka');
  await expect(page.getByTestId('net-status')).toHaveText('Online');
  await expect(page).toHaveURL('/'); // switched in place, no navigation

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('getting involved');

  await waitForHydration(page);
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('engagemang en timme i taget');
});

test('the language switch also works without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/tillganglighet');

  await page.getByTestId('lang-switch').click();

  await expect(page).toHaveURL('/tillganglighet');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accessibility of Samverka');
  await context.close();
});

test('keyboard users reach the skip link first and land on the content', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);

  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Hoppa till innehållet' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.locator('main')).toBeFocused();
});

test('unknown addresses get the localized 404 page with status 404', async ({ page }) => {
  const response = await page.goto('/det-har-finns-inte');

  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vi hittar inte sidan');
  await expect(page).toHaveTitle('Sidan finns inte – Samverka');
});

test('the wasm bundle is sent brotli-compressed', async ({ request }) => {
  const response = await request.get('/pkg/samverka.wasm', { headers: { 'Accept-Encoding': 'br' } });

  expect(response.status()).toBe(200);
  expect(response.headers()['content-encoding']).toBe('br');
});

test('the home page loads no page chunk; a page loads its own chunk when first visited', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });

  await page.goto('/');
  await waitForHydration(page);
  expect(wasm).toEqual(['/pkg/samverka.wasm']);

  await page.getByRole('link', { name: 'Bli volontär' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bli volontär');
  expect(wasm.some((p) => p.includes('sign_up_route'))).toBe(true);
  // The page works once its chunk is in: the browser-side validation answers.
  await page.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(page.locator('#name-error')).toBeVisible();
});
