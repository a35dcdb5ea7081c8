import { test, expect, type Browser, type Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { DEMO_PASSWORD, signIn, signUp, uniqueEmail, waitForHydration } from './helpers';

async function phone(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
  return { context, page: await context.newPage() };
}

async function desk(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

async function post(page: Page, path: string, data: unknown) {
  const response = await page.request.post(path, { data, headers: { origin: new URL(page.url()).origin } });
  expect(response.status(), path).toBe(200);
  return response.json();
}

async function axe(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** The contact's phone, on its requests, until the case has reached `state`. */
async function caseOnPhone(page: Page, state: string) {
  await page.goto('/behov/mina');
  await waitForHydration(page);
  const phoneCase = page.getByTestId('group-case');
  await expect(phoneCase.getByTestId('case-state')).toHaveText(state, { timeout: 15_000 });
  return phoneCase;
}

test('the night walkers\' 800 kr: from received to closed, the handler at a desk and the group answering offline', async ({ browser }) => {
  test.slow(); // two people, an offline round, axe on four pages in two languages
  const contact = await phone(browser);
  const name = `Nattvandrarna ${Date.now()}`;
  await signUp(contact.page, 'Kontakt Kvist', uniqueEmail('case-contact'));
  const district = (await (await contact.page.request.get('/api/profile')).json()).districts[0];
  await post(contact.page, '/api/register-group', {
    form: { kind: 'informal', name, description: 'Vuxna som går på fredagskvällar.', org_number: '',
            districts: [district], priority_areas: [] },
  });
  await contact.page.goto('/behov/mina');
  await waitForHydration(contact.page);
  await contact.page.getByTestId('new-need').click();
  await expect(contact.page.getByTestId('need-form')).toBeVisible();
  await contact.page.getByLabel('Rubrik').fill('Reflexvästar');
  await contact.page.getByLabel('Belopp i kronor').fill('800');
  await contact.page.getByLabel('Vad ska pengarna användas till?').fill('Tjugo västar så att vi syns.');
  await contact.page.locator('#payee').selectOption({ label: 'Kontakt Kvist' });
  await contact.page.locator('#district').selectOption({ label: 'Sicklaön' });
  await contact.page.getByRole('button', { name: 'Spara' }).click();
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });
  let phoneCase = await caseOnPhone(contact.page, 'Mottaget');
  const number = ((await phoneCase.getByRole('heading').textContent()) ?? '').match(/MS-\d{4}-\d{4}/)![0];

  // The handler finds it in the queue and asks a question.
  const sara = await desk(browser);
  await signIn(sara.page, 'sara.staff@example.org', DEMO_PASSWORD);
  await sara.page.goto('/personal/arenden?typ=micro_grant&steg=received');
  await waitForHydration(sara.page);
  await axe(sara.page);
  await sara.page.getByRole('link', { name: new RegExp(number) }).click();
  await expect(sara.page.getByTestId('case-page')).toBeVisible();
  const caseUrl = sara.page.url();
  await waitForHydration(sara.page);
  await axe(sara.page);
  await sara.page.getByTestId('do-assign').getByRole('button').click();
  await expect(sara.page.getByTestId('case-state')).toHaveText('Handläggs');
  await sara.page.locator('#ask_more_info-note').fill('Hur många västar, och vilka storlekar?');
  await sara.page.getByTestId('do-ask').getByRole('button').click();
  await expect(sara.page.getByTestId('case-state')).toHaveText('Väntar på svar från gruppen');

  // The contact reads it on the phone and answers on the bus, offline.
  phoneCase = await caseOnPhone(contact.page, 'Väntar på svar från gruppen');
  await expect(phoneCase).toContainText('Hur många västar');
  await axe(contact.page);
  await contact.context.setOffline(true);
  await phoneCase.getByLabel('Ert svar').fill('Tjugo, i storlek M och L.');
  await phoneCase.getByRole('button', { name: 'Skicka svar' }).click();
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '1');
  await expect(phoneCase.getByTestId('case-state')).toHaveText('Handläggs'); // shown at once
  await contact.context.setOffline(false);
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });

  // Decided, and paid to the named contact.
  await sara.page.reload();
  await waitForHydration(sara.page);
  await expect(sara.page.getByTestId('trail')).toContainText('Tjugo, i storlek M och L.');
  await expect(sara.page.getByTestId('case-state')).toHaveText('Handläggs');
  // A decision without a reason is refused by name, and what was typed stays.
  await sara.page.locator('#approve-amount').fill('800');
  await sara.page.getByTestId('do-approve').getByRole('button').click();
  await expect(sara.page.locator('#approve-reason-error')).toBeVisible();
  await expect(sara.page.locator('#approve-amount')).toHaveValue('800');
  await sara.page.locator('#approve-reason_choice').selectOption({ index: 1 });
  await sara.page.getByTestId('do-approve').getByRole('button').click();
  await expect(sara.page.getByTestId('case-state')).toHaveText('Beviljat');
  await sara.page.locator('#pay-paid_how').fill('Swish');
  await sara.page.getByTestId('do-pay').getByRole('button').click();
  await expect(sara.page.getByTestId('case-state')).toHaveText('Utbetalt eller levererat');

  // The group reports back from the phone.
  phoneCase = await caseOnPhone(contact.page, 'Utbetalt eller levererat');
  await phoneCase.getByLabel('Vad blev det av stödet?').fill('Vi gick tre kvällar i nya västar.');
  await phoneCase.getByLabel('Hur många var med?').fill('12');
  await phoneCase.getByRole('button', { name: 'Skicka återrapport' }).click();
  await expect(contact.page.getByTestId('waiting')).toHaveAttribute('data-count', '0', { timeout: 15_000 });

  // The handler closes it; the trail has every step.
  await sara.page.reload();
  await waitForHydration(sara.page);
  await expect(sara.page.getByTestId('case-state')).toHaveText('Återrapporterat');
  await sara.page.getByTestId('do-close').getByRole('button').click();
  await expect(sara.page.getByTestId('case-state')).toHaveText('Avslutat');
  await expect(sara.page.getByTestId('trail-line')).toHaveCount(8);
  await caseOnPhone(contact.page, 'Avslutat');

  // Today's support report has it, granted and paid (the demo's own cases were decided weeks
  // ago), and so does its CSV, with a byte order mark for Excel.
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
  await sara.page.goto(`/personal/stod?fran=${today}&till=${today}`);
  await waitForHydration(sara.page);
  await axe(sara.page);
  const total = sara.page.getByTestId('report-total');
  await expect(total).toContainText('1');
  await expect(total).toContainText('800 kr');
  await expect(sara.page.getByTestId('report')).toContainText('Informell grupp');
  const [download] = await Promise.all([
    sara.page.waitForEvent('download'),
    sara.page.getByTestId('report-csv').click(),
  ]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const csv = Buffer.concat(chunks);
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = csv.subarray(3).toString('utf8').trim().split(/\r?\n/);
  expect(lines[0]).toBe('Från;Till;Fokusområde;Område;Aktör;Ärenden;Beviljat (kr);Utbetalt (kr)');
  expect(lines.at(-1)).toBe(`${today};${today};Totalt;;;1;800;800`);

  // The new pages in English pass axe too.
  for (const page of [sara.page]) {
    await page.context().addCookies([{ name: 'samverka_lang', value: 'en', url: new URL(page.url()).origin }]);
    await page.goto(caseUrl);
    await waitForHydration(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('case-state')).toHaveText('Closed');
    await axe(page);
    for (const path of ['/personal/arenden', `/personal/stod?fran=${today}&till=${today}`]) {
      await page.goto(path);
      await waitForHydration(page);
      await axe(page);
    }
  }
});
