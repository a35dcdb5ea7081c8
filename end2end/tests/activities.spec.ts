import { test, expect, type Browser, type Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { controlledByServiceWorker, signUp, uniqueEmail, waitForHydration } from './helpers';

async function phone(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
  return { context, page: await context.newPage() };
}

async function post(page: Page, path: string, data: unknown) {
  const response = await page.request.post(path, { data, headers: { origin: new URL(page.url()).origin } });
  expect(response.status(), path).toBe(200);
  return response.json();
}

/** A Stockholm date `days` from today, `YYYY-MM-DD`, and its weekday (1 = Monday … 7 = Sunday). */
function stockholmDay(days: number) {
  const at = new Date(Date.now() + days * 86_400_000);
  const date = at.toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
  return { date, weekday };
}

async function axe(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** A contact with a group in Sicklaön, on the activity form; answers the contact's phone. */
async function contactOnTheForm(browser: Browser, name: string) {
  const contact = await phone(browser);
  await signUp(contact.page, `Kontakt ${name}`, uniqueEmail('act-contact'));
  const district = (await (await contact.page.request.get('/api/profile')).json()).districts[0];
  await post(contact.page, '/api/register-group', {
    form: { kind: 'informal', name, description: 'Vuxna som går på kvällarna.', org_number: '',
            districts: [district], priority_areas: [] },
  });
  // Online once: the phone learns its group, and the pages' code is loaded.
  await contact.page.goto('/behov/mina');
  await waitForHydration(contact.page);
  await expect(contact.page.getByRole('heading', { name })).toBeVisible();
  await contact.page.getByTestId('new-need').click();
  await expect(contact.page.getByTestId('need-form')).toBeVisible();
  await contact.page.getByLabel('Volontärer till en aktivitet').check();
  await contact.page.getByLabel('Vad gör volontärerna?').fill('Vi går i par och pratar med ungdomar.');
  await contact.page.locator('#place').fill('Stortorget');
  await contact.page.locator('#district').selectOption({ label: 'Sicklaön' });
  return contact;
}

/** Saves the form and waits until the activity has reached the server; answers its page. */
async function save(contact: { page: Page }, title: string) {
  await contact.page.getByRole('button', { name: 'Spara' }).click();
  await expect(contact.page).toHaveURL('/behov/mina?sparat=1');
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });
  const link = contact.page.getByTestId('our-need').filter({ hasText: title }).getByRole('link', { name: title });
  return (await link.getAttribute('href'))!;
}

test('a night walk: one volunteer gets the place, one signing up offline waits, and moves up when it is given back', async ({ browser }) => {
  test.slow(); // three phones, an offline round, axe on four pages
  const tomorrow = stockholmDay(1);
  const contact = await contactOnTheForm(browser, `Nattvandrarna ${Date.now()}`);
  await axe(contact.page);
  await contact.page.getByLabel('Rubrik').fill('Nattvandring');
  await contact.page.getByLabel('Börjar').fill('21:00');
  await contact.page.getByLabel('Slutar').fill('00:00');
  await contact.page.locator(`#weekday-${tomorrow.weekday}`).check();
  await contact.page.getByLabel('Första dagen').fill(tomorrow.date);
  await contact.page.getByLabel('Sista dagen').fill(stockholmDay(28).date);
  await contact.page.getByLabel('Antal platser').fill('1');
  const page = await save(contact, 'Nattvandring');

  // Ada signs up online and gets the place.
  const ada = await phone(browser);
  await signUp(ada.page, 'Ada Andersson', uniqueEmail('act-ada'));
  await ada.page.goto(page);
  await waitForHydration(ada.page);
  await axe(ada.page);
  const adaFirst = ada.page.getByTestId('occasion').first();
  await expect(adaFirst.getByTestId('free-places')).toContainText('1 av 1');
  await adaFirst.getByTestId('sign-up').click();
  await expect(adaFirst.getByTestId('my-sign-up')).toHaveText('Du har en plats', { timeout: 15_000 });

  // Bo opens the page online and signs up on the bus, offline: waiting for confirmation; once
  // sent, the walk is full and he is on the waiting list, and is told.
  const bo = await phone(browser);
  await signUp(bo.page, 'Bo Berg', uniqueEmail('act-bo'));
  await bo.page.goto(page);
  await waitForHydration(bo.page);
  await bo.context.setOffline(true);
  const boFirst = bo.page.getByTestId('occasion').first();
  await boFirst.getByTestId('sign-up').click();
  await expect(boFirst.getByTestId('my-sign-up')).toHaveText('Väntar på bekräftelse');
  await bo.context.setOffline(false);
  await expect(boFirst.getByTestId('my-sign-up')).toHaveText('På väntelistan', { timeout: 15_000 });
  await bo.page.goto('/pass');
  await waitForHydration(bo.page);
  await expect(bo.page.getByTestId('shift-status')).toHaveText('På väntelistan');
  await expect(bo.page.getByTestId('shift-notice')).toContainText('väntelistan');
  await axe(bo.page);

  // Ada gives her place back; Bo moves up and is told.
  await ada.page.goto('/pass');
  await waitForHydration(ada.page);
  await ada.page.getByRole('button', { name: 'Lämna platsen' }).click();
  await ada.page.getByRole('button', { name: 'Ja, lämna platsen' }).click();
  await expect(ada.page.getByTestId('shift-status')).toHaveText('Platsen lämnad');
  await expect(ada.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });
  await bo.page.goto('/pass');
  await waitForHydration(bo.page);
  await expect(bo.page.getByTestId('shift-status')).toHaveText('Du har en plats', { timeout: 15_000 });
  await expect(bo.page.getByTestId('shift-notice')).toContainText('Du har fått en plats från väntelistan');

  // The public page never names who signed up.
  const anyone = await phone(browser);
  await anyone.page.goto(page);
  await expect(anyone.page.locator('main')).not.toContainText('Bo Berg');
  await expect(anyone.page.locator('main')).not.toContainText('Ada Andersson');
});

test('an evening under way: the contact marks who came, the volunteer logs hours offline, the contact confirms them', async ({ browser }) => {
  test.slow();
  const today = stockholmDay(0);
  const contact = await contactOnTheForm(browser, `Språkcaféet ${Date.now()}`);
  await contact.page.getByLabel('Rubrik').fill('Värd på caféet');
  await contact.page.getByLabel('Vissa datum').check();
  await contact.page.locator('#dates').fill(today.date);
  await contact.page.getByLabel('Börjar').fill('00:00');
  await contact.page.getByLabel('Slutar').fill('23:59');
  await contact.page.getByLabel('Antal platser').fill('2');
  const page = await save(contact, 'Värd på caféet');

  const cy = await phone(browser);
  await signUp(cy.page, 'Cy Carlsson', uniqueEmail('act-cy'));
  await cy.page.goto(page);
  await waitForHydration(cy.page);
  const occasion = cy.page.getByTestId('occasion').first();
  await occasion.getByTestId('sign-up').click();
  await expect(occasion.getByTestId('my-sign-up')).toHaveText('Du har en plats', { timeout: 15_000 });

  // In the stairwell, no signal: Cy logs two hours.
  await cy.page.goto('/pass');
  await waitForHydration(cy.page);
  await controlledByServiceWorker(cy.page); // the hours page's code is kept for offline use
  await cy.context.setOffline(true);
  await cy.page.getByRole('link', { name: 'Logga timmar' }).click();
  await expect(cy.page.getByTestId('hours-form')).toBeVisible();
  await axe(cy.page);
  await cy.page.getByLabel('Timmar').fill('två');
  await cy.page.getByRole('button', { name: 'Spara timmar' }).click();
  await expect(cy.page.locator('#hours-error')).toContainText('Skriv timmar som en siffra');
  await cy.page.getByLabel('Timmar').fill('2');
  await cy.page.getByRole('button', { name: 'Spara timmar' }).click();
  await expect(cy.page).toHaveURL('/pass');
  await expect(cy.page.getByTestId('shift-hours')).toContainText('Loggade timmar: 2 h');
  await cy.context.setOffline(false);
  await expect(cy.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });

  // The contact, offline too, marks that Cy came and confirms her two hours.
  await contact.page.goto('/behov/mina');
  await waitForHydration(contact.page);
  await contact.context.setOffline(true);
  const activity = contact.page.getByTestId('our-need').filter({ hasText: 'Värd på caféet' });
  await activity.getByText('Kommande tillfällen').click();
  const signedUp = activity.getByTestId('group-sign-up').filter({ hasText: 'Cy Carlsson' });
  await signedUp.getByLabel('Kom', { exact: true }).check();
  await signedUp.getByTestId('confirm-hours').click();
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '2');
  await contact.context.setOffline(false);
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });

  await cy.page.goto('/pass');
  await waitForHydration(cy.page);
  await expect(cy.page.getByTestId('shift-hours')).toContainText('Bekräftade timmar: 2 h', { timeout: 15_000 });
  await expect(cy.page.getByTestId('my-hours')).toContainText('2 h');
  await axe(cy.page);
});

test('finding a walk that fits, in English: the list, my shifts in my calendar, and the contact sees how to reach me', async ({ browser, baseURL }) => {
  test.slow();
  const tomorrow = stockholmDay(1);
  const contact = await contactOnTheForm(browser, `Nattvandrarna ${Date.now()}`);
  const title = `Kvällsvandring ${Date.now()}`;
  await contact.page.getByLabel('Rubrik').fill(title);
  await contact.page.getByLabel('Börjar').fill('19:00');
  await contact.page.getByLabel('Slutar').fill('21:00');
  await contact.page.locator(`#weekday-${tomorrow.weekday}`).check();
  await contact.page.getByLabel('Första dagen').fill(tomorrow.date);
  await contact.page.getByLabel('Sista dagen').fill(stockholmDay(14).date);
  await contact.page.getByLabel('Antal platser').fill('3');
  const needPage = await save(contact, title);

  // Dag reads English; he can on that weekday's evenings in Sicklaön.
  const dag = await phone(browser);
  const email = uniqueEmail('act-dag');
  await signUp(dag.page, 'Dag Dahl', email);
  await dag.context.addCookies([{ name: 'samverka_lang', value: 'en', url: baseURL! }]);
  const district = (await (await dag.page.request.get('/api/profile')).json()).districts[0];
  await post(dag.page, '/api/sync/v2/push', {
    protocol: 2, device: crypto.randomUUID(),
    changes: [{ id: crypto.randomUUID(), seq: 1, record: crypto.randomUUID(), kind: 'offer',
      op: { create: { availability: { type: 'weekly', valid_from: null, valid_until: null,
        windows: [{ weekday: tomorrow.weekday, from: '18:00', to: '20:00' }] },
        districts: [district], areas: [], skills: [], languages: [], note: '', paused: false } } }],
  });

  // The list, narrowed to what fits his offer over the next two weeks: the walk, with its next
  // occasions and free places.
  await dag.page.goto(`/behov?passar=1&fran=${tomorrow.date}&till=${stockholmDay(14).date}`);
  await waitForHydration(dag.page);
  await expect(dag.page.getByLabel(/Fits my offers/)).toBeChecked();
  const listed = dag.page.getByTestId('need').filter({ hasText: title });
  await expect(listed.getByTestId('listed-free').first()).toHaveText('Free places: 3');
  await axe(dag.page);

  await listed.getByRole('link', { name: title }).click();
  await waitForHydration(dag.page);
  const first = dag.page.getByTestId('occasion').first();
  await first.getByTestId('sign-up').click();
  await expect(first.getByTestId('my-sign-up')).toHaveText('You have a place', { timeout: 15_000 });
  await axe(dag.page);

  // My shifts in my phone's calendar: a private address, read as a calendar app would.
  await dag.page.goto('/pass');
  await waitForHydration(dag.page);
  await axe(dag.page);
  await dag.page.getByTestId('calendar-link').click();
  await expect(dag.page).toHaveURL('/profil#kalender');
  await waitForHydration(dag.page);
  await dag.page.getByRole('button', { name: 'Make a calendar address' }).click();
  const address = dag.page.getByTestId('calendar-address');
  await expect(address).toHaveValue(/\/kalender\/[0-9a-f]{32}\.ics$/);
  await axe(dag.page);
  const feedUrl = await address.inputValue();
  const feed = await dag.page.request.get(feedUrl);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  const ics = await feed.text();
  expect(ics).toContain('BEGIN:VCALENDAR');
  expect(ics).toContain('X-WR-CALNAME:Samverka – my shifts');
  expect(ics).toContain('STATUS:CONFIRMED');
  await dag.page.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(dag.page.getByRole('button', { name: 'Make a calendar address' })).toBeVisible();
  expect((await dag.page.request.get(feedUrl)).status()).toBe(404);

  // The contact sees who is coming and how to reach them; the public does not.
  await contact.page.goto(needPage);
  await waitForHydration(contact.page);
  const coming = contact.page.getByTestId('coming-volunteer').filter({ hasText: 'Dag Dahl' }).first();
  await expect(coming.getByRole('link', { name: email })).toHaveAttribute('href', `mailto:${email}`);
  await axe(contact.page);
  const anyone = await phone(browser);
  await anyone.page.goto(needPage);
  await expect(anyone.page.locator('main')).not.toContainText(email);
  await expect(anyone.page.getByTestId('coming')).toHaveCount(0);
});
