import { test, expect, type Page, type BrowserContext, type Browser } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { controlledByServiceWorker, waitForHydration, PASSWORD, uniqueEmail, signUp as signUpAs, signIn } from './helpers';

/** The project's phone settings, for contexts made by hand (a second device). */
async function phone(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, locale: 'en-US' });
}

async function signUp(page: Page, contact: string) {
  await signUpAs(page, 'Nattvandrare', contact, 'Fisksätra');
}

async function openOffers(page: Page) {
  await page.goto('/erbjudanden');
  await waitForHydration(page);
  await expect(page.getByTestId('new-offer')).toBeVisible();
}

/** Makes a flexible offer with `note` through the form. */
async function createOffer(page: Page, note: string) {
  await page.getByTestId('new-offer').click();
  await expect(page).toHaveURL('/erbjudanden/ny');
  await page.getByLabel('En timme då och då, när det passar').check();
  await page.getByLabel('Kort meddelande').fill(note);
  await page.getByRole('button', { name: 'Spara erbjudandet' }).click();
  await expect(page).toHaveURL(/\/erbjudanden\?sparat=1$/);
}

async function editNote(page: Page, from: string, to: string) {
  const offer = page.getByTestId('offer').filter({ hasText: from });
  await offer.getByRole('link', { name: 'Ändra' }).click();
  await expect(page).toHaveURL(/\/erbjudanden\/andra\?id=/);
  await page.getByLabel('Kort meddelande').fill(to);
  await page.getByRole('button', { name: 'Spara erbjudandet' }).click();
  await expect(page).toHaveURL(/\/erbjudanden\?sparat=1$/);
}

/** The paths of pages the service worker kept that show any of `texts`. */
async function keptPagesShowing(page: Page, texts: string[]) {
  return page.evaluate(async (texts) => {
    const found: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        // The service worker may be removing entries as we read: one gone shows nobody.
        const response = await cache.match(request);
        if (!response) continue;
        const body = await response.text();
        if (texts.some((t) => body.includes(t))) found.push(new URL(request.url).pathname);
      }
    }
    return found;
  }, texts);
}

async function waiting(page: Page, count: number) {
  await expect(page.getByTestId('waiting')).toHaveAttribute('data-count', String(count), { timeout: 15_000 });
}

test('offers are made and edited offline, survive a reload, and are sent when the network returns', async ({ page, context, browser }) => {
  const contact = uniqueEmail('offline');
  await signUp(page, contact);
  await openOffers(page);
  await createOffer(page, 'Fredagskvällar');
  await waiting(page, 0); // sent while online
  await controlledByServiceWorker(page);

  await context.setOffline(true);
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('net-status')).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('offer')).toHaveCount(1);
  await createOffer(page, 'Läxhjälp i biblioteket');
  await editNote(page, 'Fredagskvällar', 'Fredagar och lördagar');
  await waiting(page, 2);
  await expect(page.getByTestId('waiting')).toContainText('2 ändringar väntar på att skickas');

  await page.reload();
  await waitForHydration(page);
  await waiting(page, 2);
  await expect(page.getByTestId('offer-waiting')).toHaveCount(2);
  await page.getByTestId('waiting').getByRole('link').click();
  await expect(page.getByTestId('waiting-list').locator('li')).toHaveCount(2);

  await context.setOffline(false);
  await waiting(page, 0);
  await expect(page.getByTestId('change-log').locator('li[data-result="sent"]')).toHaveCount(3);

  const other = await phone(browser);
  const second = await other.newPage();
  await signIn(second, contact);
  await openOffers(second);
  await expect(second.getByTestId('offer')).toHaveCount(2);
  await expect(second.getByText('Fredagar och lördagar')).toBeVisible();
  await expect(second.getByText('Läxhjälp i biblioteket')).toBeVisible();
  await other.close();
});

test('an edit made offline to an offer removed on another device is refused, and the person is told', async ({ page, context, browser }) => {
  const contact = uniqueEmail('conflict');
  await signUp(page, contact);
  await openOffers(page);
  await createOffer(page, 'Söndagsfika');
  await waiting(page, 0);

  const other = await phone(browser);
  const tablet = await other.newPage();
  await signIn(tablet, contact);
  await openOffers(tablet);
  await expect(tablet.getByTestId('offer')).toHaveCount(1);

  await context.setOffline(true);
  await editNote(page, 'Söndagsfika', 'Söndagsfika med barnen');
  await waiting(page, 1);

  const offer = tablet.getByTestId('offer').filter({ hasText: 'Söndagsfika' });
  await offer.getByRole('button', { name: 'Ta bort' }).click();
  await tablet.getByRole('button', { name: 'Ja, ta bort' }).click();
  await expect(tablet.getByTestId('no-offers')).toBeVisible();
  await waiting(tablet, 0);

  await context.setOffline(false);
  await waiting(page, 0);
  // Removal wins (docs/SYNC.md): the offer is gone, the edit is refused and announced.
  await expect(page.getByTestId('refused')).toContainText('1 ändring kunde inte sparas');
  await expect(page.getByTestId('no-offers')).toBeVisible();
  await page.getByTestId('refused').getByRole('link', { name: 'Se varför' }).click();
  const refused = page.getByTestId('change-log').locator('li[data-result="refused"]');
  await expect(refused).toContainText('redan tagits bort på en annan enhet');
  await expect(refused).toContainText('Söndagsfika med barnen'); // what was typed is kept
  await other.close();
});

test('two tabs on one phone keep both of their offline changes', async ({ page, context }) => {
  await signUp(page, uniqueEmail('tabs'));
  await openOffers(page);
  await controlledByServiceWorker(page);
  const tab = await context.newPage();
  await openOffers(tab);
  await context.setOffline(true);

  await createOffer(page, 'Från första fliken');
  await waiting(tab, 1); // the other tab sees it through the storage event
  await createOffer(tab, 'Från andra fliken');

  await waiting(page, 2);
  await page.reload();
  await waitForHydration(page);
  await waiting(page, 2);
  await context.setOffline(false);
  await waiting(page, 0);
  await expect(page.getByTestId('offer')).toHaveCount(2);
});

test('signing out with changes waiting warns first, then clears the phone', async ({ page, context }) => {
  const contact = uniqueEmail('signout');
  await signUp(page, contact);
  await openOffers(page);
  await controlledByServiceWorker(page); // the new-offer page's code is on the phone
  await context.setOffline(true);
  await createOffer(page, 'Inte skickat');
  await waiting(page, 1);

  await page.getByTestId('log-out').click();
  await expect(page.getByTestId('sign-out-warning')).toContainText('inte har skickats än (1 st)');
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Logga ut ändå' }).click();
  await expect(page).toHaveURL('/');

  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('samverka/')));
  expect(left).toEqual([]);
  // No page kept for offline use still shows the person.
  await expect.poll(() => keptPagesShowing(page, ['Nattvandrare'])).toEqual([]);
});

test('the offer form names each problem beside its field and keeps what was typed', async ({ page }) => {
  await signUp(page, uniqueEmail('form'));
  await page.goto('/erbjudanden/ny');
  await waitForHydration(page);
  await page.getByLabel('Samma tider varje vecka').check();
  await page.getByLabel(/^Från/).fill('22:00');
  await page.getByLabel(/^Till/).fill('22:00');
  await page.getByLabel('Kort meddelande').fill('Helst fredagar');
  await page.getByRole('button', { name: 'Spara erbjudandet' }).click();

  await expect(page.locator('#window-0-weekday')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Sluttiden måste skilja sig från starttiden')).toHaveCount(0); // the weekday comes first
  await expect(page.getByLabel('Kort meddelande')).toHaveValue('Helst fredagar');
  await page.getByLabel('Veckodag').selectOption('5');
  await page.getByRole('button', { name: 'Spara erbjudandet' }).click();
  await expect(page.getByText('Sluttiden måste skilja sig från starttiden')).toBeVisible();
  await page.getByLabel(/^Till/).fill('02:00');
  await page.getByRole('button', { name: 'Spara erbjudandet' }).click();
  await expect(page).toHaveURL(/\/erbjudanden\?sparat=1$/);
  await expect(page.getByTestId('offer')).toContainText('Varje fredag 22:00–02:00');
});

test('the offer pages have no accessibility violations', async ({ page }) => {
  await signUp(page, uniqueEmail('a11y-offers'));
  for (const path of ['/erbjudanden', '/erbjudanden/ny', '/andringar']) {
    await page.goto(path);
    await waitForHydration(page);
    await expect(page.getByTestId('local-loading')).toHaveCount(0);
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    expect(results.violations.map((v) => `${path} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
  }
});

test('closing the account clears the phone: no stored data and no kept page shows the person', async ({ page }) => {
  await signUp(page, uniqueEmail('close'));
  await openOffers(page);
  await controlledByServiceWorker(page);
  await createOffer(page, 'Snart borta');
  await waiting(page, 0);

  await page.goto('/mina-uppgifter');
  await waitForHydration(page);
  await page.getByLabel('Ditt lösenord, för att bekräfta').fill(PASSWORD);
  await page.getByRole('button', { name: 'Avsluta kontot för gott' }).click();
  await expect(page).toHaveURL('/konto-avslutat');

  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('samverka/')));
  expect(left).toEqual([]);
  await expect.poll(() => keptPagesShowing(page, ['Nattvandrare', 'Snart borta'])).toEqual([]);
});

test('a session ended elsewhere clears the phone, keeps what was waiting and sends it after signing in', async ({ page, context, browser }) => {
  const contact = uniqueEmail('ended');
  const newPassword = 'ett helt nytt lösenord';
  await signUp(page, contact);
  await openOffers(page);
  await controlledByServiceWorker(page);
  await context.setOffline(true);
  await createOffer(page, 'Skickas senare');
  await waiting(page, 1);

  // On another device the person changes the password, which ends every other session.
  const tablet = await phone(browser);
  const other = await tablet.newPage();
  await signIn(other, contact);
  const changed = await other.request.post('/api/change-password', {
    data: { form: { current: PASSWORD, new: newPassword } },
  });
  expect(changed.status()).toBe(200);
  await tablet.close();

  // The phone notices at its next contact: it says so, keeps only the unsent change.
  await context.setOffline(false);
  await expect(page.getByText('Du är utloggad')).toBeVisible({ timeout: 15_000 });
  const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('samverka/')));
  expect(keys.filter((k) => k.endsWith('/outbox'))).toHaveLength(1);
  expect(keys.filter((k) => k.endsWith('/snapshot') || k.endsWith('/log'))).toEqual([]);
  await expect.poll(() => keptPagesShowing(page, ['Nattvandrare'])).toEqual([]);

  // The same person signs in again: the change is sent.
  await signIn(page, contact, newPassword);
  await openOffers(page);
  await waiting(page, 0);
  await expect(page.getByTestId('offer')).toContainText('Skickas senare');
  await expect(page.getByText('Du är utloggad')).toHaveCount(0);
});

/** The paths the service worker keeps in its cache. */
async function keptFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const name = (await caches.keys()).find((n) => n.startsWith('samverka-'))!;
    const cache = await caches.open(name);
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
}

test('install keeps the offline pages code, not the staff pages; a repeat visit takes every app file from the phone', async ({ page }) => {
  await signUp(page, uniqueEmail('repeat'));
  await controlledByServiceWorker(page);

  const atInstall = await keptFiles(page);
  expect(atInstall.some((p) => /\/pkg\/samverka\.[\w-]+\.wasm$/.test(p))).toBe(true);
  expect(atInstall.some((p) => p.includes('person_pages'))).toBe(true);
  expect(atInstall.some((p) => p.includes('open_device'))).toBe(true);
  expect(atInstall.some((p) => p.includes('staff_pages'))).toBe(false);

  await page.goto('/erbjudanden');
  await waitForHydration(page);
  const kept = await keptFiles(page);
  const requested: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/pkg/')) requested.push(path);
  });
  await page.reload();
  await waitForHydration(page);

  // Every file the page asked for was already kept, so the worker answered it from its cache.
  expect(requested.length).toBeGreaterThan(0);
  expect(requested.filter((p) => !kept.includes(p))).toEqual([]);
});
