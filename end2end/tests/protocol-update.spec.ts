import { test, expect } from './fixtures';
import { waitForHydration, uniqueEmail, signUp } from './helpers';

/**
 * A phone still running the app of sync protocol 1 (kept by its service worker), with offers
 * waiting in its outbox: the server tells that app to update, and the updated app reads the
 * old outbox and sends every change, under the same device and numbers, once.
 */
test('an outbox left by the previous app version is sent after the update', async ({ page }) => {
  await signUp(page, 'Gammal telefon', uniqueEmail('old-app'));
  const me = await (await page.request.get('/api/me')).json();
  const district = (await (await page.request.get('/api/profile')).json()).districts[0];

  // What the previous app sends is answered "update required", and nothing is taken.
  const device = '00000000-0000-4000-8000-0000000000d1';
  const change = (seq: number, record: string, note: string) => ({
    id: crypto.randomUUID(),
    seq,
    record,
    kind: 'offer',
    op: { create: { availability: { type: 'flexible' }, districts: [district], areas: [], skills: [],
                    languages: [], note, paused: false } },
  });
  const waiting = [
    change(1, crypto.randomUUID(), 'Från den gamla appen 1'),
    change(2, crypto.randomUUID(), 'Från den gamla appen 2'),
  ];
  const old = await page.request.post('/api/sync/v1/push', {
    data: { protocol: 1, device, changes: waiting },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(old.status()).toBe(426);
  expect((await old.json()).reason).toBe('update_required');

  // The phone as the previous app left it: exactly its keys in localStorage (and none of the
  // new app's), then the new app is loaded. (On a page of the site without the app, so that
  // nothing writes the store meanwhile.)
  await page.goto('/healthz');
  await page.evaluate(({ user, device, waiting }) => {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith('samverka/')) localStorage.removeItem(key);
    }
    const p = `samverka/v1/${user}/`;
    localStorage.setItem(`${p}meta`, JSON.stringify({ device, next_seq: 3, rev: 4 }));
    localStorage.setItem(`${p}outbox`, JSON.stringify(waiting));
    localStorage.setItem(`${p}log`, '[]');
    localStorage.setItem(`${p}snapshot`, JSON.stringify({ cursor: 3, offers: {}, context: null }));
  }, { user: me.id, device, waiting });
  await page.goto('/erbjudanden');
  await waitForHydration(page);

  const offers = page.getByTestId('offer');
  await expect(offers.filter({ hasText: 'Från den gamla appen 1' })).toBeVisible();
  await expect(offers.filter({ hasText: 'Från den gamla appen 2' })).toBeVisible();
  await expect(page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });
  const mine = await (await page.request.get('/api/my-data.json')).json();
  expect(mine.offers.map((o: { offer: { note: string } }) => o.offer.note).sort()).toEqual([
    'Från den gamla appen 1',
    'Från den gamla appen 2',
  ]);
  expect(mine.devices.map((d: { id: string; last_change: number }) => [d.id, d.last_change])).toEqual([[device, 2]]);
  const left = await page.evaluate((user) => Object.keys(localStorage).filter((k) => k.startsWith(`samverka/v1/${user}/`)), me.id);
  expect(left).toEqual([]);
});
