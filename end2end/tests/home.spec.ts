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
  // Read only, nothing checks the network yet: the page does not pretend to.
  await expect(status).toBeHidden();
  await waitForHydration(page);

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

test('the app files are sent brotli-compressed under hashed names, kept for a year', async ({ page, request }) => {
  await page.goto('/');
  // The page's one script names the module and its JS; the stylesheet is a link.
  const files = await page.evaluate(() => {
    const script = document.querySelector('script[type="module"]')!.textContent!;
    return [
      script.match(/\/pkg\/samverka\.[\w-]+\.wasm/)![0],
      script.match(/\/pkg\/samverka\.[\w-]+\.js/)![0],
      document.querySelector<HTMLLinkElement>('link[rel="stylesheet"]')!.getAttribute('href')!,
    ];
  });
  expect(files[0]).toMatch(/^\/pkg\/samverka\.[\w-]+\.wasm$/);
  expect(files[1]).toMatch(/^\/pkg\/samverka\.[\w-]+\.js$/);
  expect(files[2]).toMatch(/^\/pkg\/samverka\.[\w-]+\.css$/);

  for (const file of files) {
    const response = await request.get(file, { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding']).toBe('br');
    expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
  }
  // Not a hashed name: asked about again, and answered without a body when unchanged.
  const icon = await request.get('/favicon.svg');
  expect(icon.headers()['cache-control']).toBe('no-cache');
  const again = await request.get('/favicon.svg', { headers: { 'If-None-Match': icon.headers()['etag'] } });
  expect(again.status()).toBe(304);
});

test('the home page loads no page chunk; a page loads its own chunk when first visited', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });

  await page.goto('/');
  await waitForHydration(page);
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toMatch(/^\/pkg\/samverka\.[\w-]+\.wasm$/);

  await page.getByRole('link', { name: 'Bli volontär' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bli volontär');
  expect(wasm.some((p) => p.includes('public_pages'))).toBe(true);
  // The page works once its chunk is in: the browser-side validation answers.
  await page.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(page.locator('#name-error')).toBeVisible();
});

test('a visitor who only reads a public page downloads no app code; their first use starts it', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });

  for (const path of ['/', '/behov', '/registrera']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('html')).toHaveAttribute('data-boot', 'first-use');
  }
  // Reading is scrolling: that starts nothing.
  await page.mouse.wheel(0, 400);
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual([]);

  // A tap on "send" at once, before any code is in: the form waits for the app, which sends
  // it (here: the empty form's messages, by field), and nothing is posted to the page itself.
  await page.getByLabel('Namn eller smeknamn').fill('Snabb');
  await page.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(page.locator('#contact-error')).toBeVisible();
  await expect(page).toHaveURL('/registrera');
  await expect(page.getByLabel('Namn eller smeknamn')).toHaveValue('Snabb');
  expect(wasm.length).toBeGreaterThan(0);
});

test('a signed-in page starts the app by itself once loaded', async ({ page }) => {
  await page.goto('/logga-in');
  await page.getByLabel('Mobilnummer eller e-post').fill('anna@example.org');
  await page.getByLabel('Lösenord').fill('samverka-demo');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page).toHaveURL('/start');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-boot', 'idle');
  await expect(page.getByTestId('net-status')).toHaveAttribute('data-state', 'online');
});
