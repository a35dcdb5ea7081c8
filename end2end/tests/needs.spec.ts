import { test, expect, type Browser, type Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { DEMO_PASSWORD, signIn, signUp, uniqueEmail, waitForHydration } from './helpers';

async function phone(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
  return { context, page: await context.newPage() };
}

async function post(page: Page, path: string, data: unknown) {
  const response = await page.request.post(path, { data, headers: { origin: new URL(page.url()).origin } });
  expect(response.status(), path).toBe(200);
  return response.json();
}

test('a contact asks for 800 kr offline; it is received, on a member\'s phone, and public without the payee', async ({ browser }) => {
  test.slow(); // three phones, two offline rounds, axe on five pages
  const contact = await phone(browser);
  const name = `Nattvandrarna ${Date.now()}`;
  await signUp(contact.page, 'Kontakt Karlsson', uniqueEmail('nw-contact'));
  const district = (await (await contact.page.request.get('/api/profile')).json()).districts[0];
  const group = await post(contact.page, '/api/register-group', {
    form: { kind: 'informal', name, description: 'Vuxna som går på fredagskvällar.', org_number: '',
            districts: [district], priority_areas: [] },
  });
  const invitation = await post(contact.page, '/api/create-invite', { group, role: 'member' });
  const member = await phone(browser);
  await signUp(member.page, 'Medlem Mattsson', uniqueEmail('nw-member'));
  await post(member.page, '/api/accept-invite', { code: invitation.code });

  // Online once: the phone learns its group, and the pages' code is loaded.
  await contact.page.goto('/behov/mina');
  await waitForHydration(contact.page);
  await expect(contact.page.getByRole('heading', { name })).toBeVisible();
  await contact.page.getByTestId('new-need').click();
  await expect(contact.page).toHaveURL('/behov/ny');
  await expect(contact.page.getByTestId('need-form')).toBeVisible();

  await contact.context.setOffline(true);
  await contact.page.getByLabel('Rubrik').fill('Telefon och fika');
  await contact.page.getByLabel('Belopp i kronor').fill('800');
  await contact.page.getByLabel('Vad ska pengarna användas till?').fill('En telefon och kaffe till kvällarna.');
  await contact.page.locator('#payee').selectOption({ label: 'Kontakt Karlsson' });
  await contact.page.locator('#district').selectOption({ label: 'Sicklaön' });
  await contact.page.getByRole('button', { name: 'Spara' }).click();
  await expect(contact.page).toHaveURL('/behov/mina?sparat=1');
  const asked = contact.page.getByTestId('our-need').filter({ hasText: 'Telefon och fika' });
  await expect(asked.getByTestId('need-waiting')).toBeVisible();
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '1');

  await contact.context.setOffline(false);
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });
  await expect(asked.getByTestId('need-waiting')).toHaveCount(0);
  await expect(asked.getByTestId('need-status')).toHaveText('Mottaget');
  await expect(asked).toContainText('800 kr');

  // The member's phone has it too.
  await member.page.goto('/behov/mina');
  await waitForHydration(member.page);
  const seen = member.page.getByTestId('our-need').filter({ hasText: 'Telefon och fika' });
  await expect(seen.getByTestId('need-status')).toHaveText('Mottaget', { timeout: 15_000 });
  await expect(member.page.getByTestId('new-need')).toHaveCount(0); // a member does not ask

  // The public list shows it, without the payee.
  const anyone = await phone(browser);
  await anyone.page.goto(`/behov?omrade=${district}&typ=micro_grant`);
  const listed = anyone.page.getByTestId('need').filter({ hasText: name });
  await expect(listed).toContainText('Telefon och fika');
  await expect(listed).toContainText('800 kr');
  await expect(anyone.page.locator('main')).not.toContainText('Kontakt Karlsson');

  // The contact changes the amount (the form opens with what was asked), saved offline; once
  // sent, the public list shows the new amount.
  await contact.page.goto('/behov/mina');
  await waitForHydration(contact.page);
  await contact.page.getByTestId('our-need').filter({ hasText: 'Telefon och fika' }).getByTestId('edit-need').click();
  await expect(contact.page).toHaveURL(/\/behov\/andra\?id=/);
  await expect(contact.page.getByTestId('need-form')).toBeVisible();
  await expect(contact.page.getByLabel('Rubrik')).toHaveValue('Telefon och fika');
  await expect(contact.page.getByLabel('Belopp i kronor')).toHaveValue('800');
  await expect(contact.page.locator('#payee')).toHaveValue(/.+/);
  const form = await new AxeBuilder({ page: contact.page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(form.violations.map((v) => `edit form: ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  await contact.context.setOffline(true);
  await contact.page.getByLabel('Belopp i kronor').fill('750');
  await contact.page.getByRole('button', { name: 'Spara' }).click();
  await expect(contact.page).toHaveURL('/behov/mina?sparat=1');
  await expect(asked.getByTestId('need-waiting')).toBeVisible();
  await expect(asked).toContainText('750 kr');
  await contact.context.setOffline(false);
  await expect(asked.getByTestId('need-waiting')).toHaveCount(0, { timeout: 15_000 });
  await anyone.page.goto(`/behov?omrade=${district}&typ=micro_grant`);
  await expect(listed).toContainText('750 kr');

  // The contact withdraws it, offline too; once sent, it has left the public list.
  await contact.page.goto('/behov/mina');
  await waitForHydration(contact.page);
  await contact.context.setOffline(true);
  const mine = contact.page.getByTestId('our-need').filter({ hasText: 'Telefon och fika' });
  await mine.getByTestId('withdraw').click();
  await contact.page.getByRole('button', { name: 'Ja, dra tillbaka' }).click();
  await expect(mine.getByTestId('need-status')).toHaveText('Återkallat');
  await expect(mine.getByTestId('need-waiting')).toBeVisible();
  await expect(mine.getByTestId('withdraw')).toHaveCount(0);
  await contact.context.setOffline(false);
  await expect(mine.getByTestId('need-waiting')).toHaveCount(0, { timeout: 15_000 });
  await anyone.page.goto(`/behov?omrade=${district}&typ=micro_grant`);
  await expect(anyone.page.getByTestId('need').filter({ hasText: name })).toHaveCount(0);

  for (const lang of ['sv', 'en'] as const) {
    await contact.context.addCookies([{ name: 'samverka_lang', value: lang, url: new URL(contact.page.url()).origin }]);
    for (const path of ['/behov/mina', '/behov/ny']) {
      await contact.page.goto(path);
      await waitForHydration(contact.page);
      await expect(contact.page.getByTestId(path === '/behov/ny' ? 'need-form' : 'our-need').first()).toBeVisible();
      const results = await new AxeBuilder({ page: contact.page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
        .analyze();
      expect(results.violations.map((v) => `${path} ${lang} ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    }
  }
  await Promise.all([contact.context.close(), member.context.close(), anyone.context.close()]);
});

test('the form names every wrong field and keeps what was typed', async ({ page }) => {
  await signUp(page, 'Kontakt Fel', uniqueEmail('nw-errors'));
  const district = (await (await page.request.get('/api/profile')).json()).districts[0];
  await post(page, '/api/register-group', {
    form: { kind: 'informal', name: `Felgruppen ${Date.now()}`, description: 'Vi testar.', org_number: '',
            districts: [district], priority_areas: [] },
  });
  await page.goto('/behov/mina');
  await waitForHydration(page);
  await page.getByTestId('new-need').click();
  await expect(page.getByTestId('need-form')).toBeVisible();
  await page.getByLabel('Rubrik').fill('Kaffe');
  await page.getByLabel('Belopp i kronor').fill('12,345');
  await page.getByRole('button', { name: 'Spara' }).click();
  await expect(page.getByText('Skriv beloppet i kronor, med högst två decimaler')).toBeVisible();
  await expect(page.locator('#payee-error')).toHaveText('Välj minst ett alternativ.');
  await expect(page.getByLabel('Rubrik')).toHaveValue('Kaffe');
  await expect(page.getByLabel('Belopp i kronor')).toHaveValue('12,345');
  await page.getByLabel('Belopp i kronor').fill('6000');
  await page.getByLabel('Vad ska pengarna användas till?').fill('Kaffe');
  await page.locator('#payee').selectOption({ label: 'Kontakt Fel' });
  await page.locator('#district').selectOption({ label: 'Sicklaön' });
  await page.getByRole('button', { name: 'Spara' }).click();
  await expect(page.getByText('Beloppet är större än vad en ansökan om mikrostöd får vara')).toBeVisible();
  await expect(page).toHaveURL('/behov/ny');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the open needs are readable, filterable and paged, with no payee named', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Se vad grupperna behöver hjälp med' }).click();
    await expect(page).toHaveURL('/behov');
    const walkers = page.getByTestId('need').filter({ hasText: 'Telefon och fika till nattvandringen' });
    await expect(walkers).toContainText('800 kr');
    await expect(walkers).toContainText('Mottaget'); // a request to the municipality, not yet handled
    await expect(walkers).toContainText('Föräldranärvaro Sicklaön');
    await expect(page.locator('main')).not.toContainText('Anna Lindqvist');

    await page.getByLabel('Typ av hjälp').selectOption({ label: 'Lokal' });
    await page.getByRole('button', { name: 'Visa' }).click();
    await expect(page).toHaveURL(/typ=premises/);
    const listed = page.getByTestId('need');
    await expect(listed.first()).toBeVisible();
    for (const badge of await listed.locator('.badge').first().allTextContents()) {
      expect(badge).toBe('Lokal');
    }
    await expect(page.getByTestId('need').filter({ hasText: 'Lokal för språkcafé på torsdagskvällar' })).toBeVisible();

    await page.goto('/behov');
    await page.getByTestId('next-page').click();
    await expect(page).toHaveURL('/behov?sida=2');
    await expect(page.getByTestId('previous-page')).toBeVisible();
  });

  test('a need has its own page, and its group\'s page lists it', async ({ page }) => {
    await page.goto('/behov?typ=micro_grant&antal=100');
    await page.getByRole('link', { name: 'Telefon och fika till nattvandringen' }).click();
    const need = page.getByTestId('need-page');
    await expect(need.getByRole('heading', { level: 1 })).toHaveText('Telefon och fika till nattvandringen');
    await expect(need.getByTestId('need-status')).toHaveText('Mottaget');
    await expect(need).toContainText('800 kr');
    await expect(need).toContainText('En enkel mobiltelefon');
    await expect(need).not.toContainText('Anna Lindqvist'); // the payee, for the group and staff only
    await need.getByRole('link', { name: 'Föräldranärvaro Sicklaön' }).click();
    const listed = page.getByTestId('group-needs').getByTestId('need');
    await expect(listed.filter({ hasText: 'Telefon och fika till nattvandringen' })).toBeVisible();
  });
});

test('staff read a need in full and filter volunteers\' offers', async ({ page, baseURL }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, 'sara.staff@example.org', DEMO_PASSWORD);
  await page.goto('/behov/e17bac82-2492-5c36-aad9-e4bfb0f75870');
  await expect(page.getByTestId('need-page')).toContainText('Anna Lindqvist'); // the payee

  await page.goto('/start');
  await page.getByRole('link', { name: 'Erbjudanden', exact: true }).first().click();
  await expect(page).toHaveURL('/personal/erbjudanden');
  await expect(page.getByTestId('offer').first()).toBeVisible();
  await page.getByLabel('Språk').selectOption('engelska');
  await page.getByRole('button', { name: 'Visa' }).click();
  await expect(page).toHaveURL(/sprak=engelska/);
  const offers = page.getByTestId('offer');
  await expect(offers.first()).toContainText('engelska');
  for (const text of await offers.allTextContents()) {
    expect(text).toContain('engelska');
  }
  for (const lang of ['sv', 'en'] as const) {
    await page.context().addCookies([{ name: 'samverka_lang', value: lang, url: baseURL! }]);
    for (const path of ['/personal/erbjudanden', '/behov/e17bac82-2492-5c36-aad9-e4bfb0f75870']) {
      await page.goto(path);
      await waitForHydration(page);
      const results = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
        .analyze();
      expect(results.violations.map((v) => `${path} ${lang} ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    }
  }
});
