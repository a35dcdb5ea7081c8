import { test, expect, type Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import { waitForHydration, PASSWORD, DEMO_PASSWORD, uniqueEmail, signUp, signIn } from './helpers';

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

test('a volunteer signs up on a phone and lands on their start page', async ({ page }) => {
  const started = Date.now();
  await signUp(page, 'Test Testsson', '070-555 12 34'.replace('555', String(100 + Math.floor(Math.random() * 899))));

  await expect(page.getByTestId('start-heading')).toHaveText('Hej Test Testsson!');
  await expect(page.getByRole('link', { name: 'Mina uppgifter' })).toBeVisible();
  test.info().annotations.push({ type: 'sign-up ms', description: String(Date.now() - started) });
  await expectNoAxeViolations(page);
});

test('sign-up shows each problem beside its field and keeps what was typed', async ({ page }) => {
  await page.goto('/registrera');
  await waitForHydration(page);
  await page.getByLabel('Namn eller smeknamn').fill('Karin');
  await page.getByLabel('Mobilnummer eller e-post').fill('karin@localhost');
  await page.getByLabel('Lösenord').fill('kort');

  await page.getByRole('button', { name: 'Skapa konto' }).click();

  await expect(page.getByRole('alert')).toContainText('Något behöver rättas');
  await expect(page.locator('#contact-error')).toContainText('Delen efter @');
  await expect(page.locator('#password-error')).toContainText('minst 10 tecken');
  await expect(page.locator('#districts-error')).toContainText('Välj minst ett');
  await expect(page.locator('#accept_privacy-error')).toContainText('godkänna');
  await expect(page.getByLabel('Mobilnummer eller e-post')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Namn eller smeknamn')).toHaveValue('Karin');
  await expect(page.getByLabel('Mobilnummer eller e-post')).toHaveValue('karin@localhost');
  await expectNoAxeViolations(page);
});

test('an informal group registers without an organisation number', async ({ page }) => {
  await signUp(page, 'Nattvandrare', uniqueEmail('walker'));

  await page.getByRole('link', { name: 'Registrera en grupp eller förening' }).click();
  await expect(page).toHaveURL('/grupper/ny');
  await waitForHydration(page);
  await page.getByLabel('Informell grupp').check();
  await expect(page.getByLabel(/^Organisationsnummer/)).toBeHidden();
  await page.getByLabel('Gruppens namn').fill('Nattvandrarna i Boo');
  await page.getByLabel('Vad gör ni?').fill('Föräldrar som går runt i centrum fredag kväll.');
  await page.getByLabel('Boo', { exact: true }).check();
  await page.getByLabel('Trygg i hela Nacka').check();
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Registrera gruppen' }).click();

  await expect(page).toHaveURL(/\/grupper\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nattvandrarna i Boo');
  await expect(page.getByTestId('group-page')).toContainText('Informell grupp');
  await expect(page.getByTestId('members')).toContainText('kontaktperson');
  await expect(page.getByTestId('one-contact')).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Skapa länk för en kontaktperson' }).click();
  await expect(page.getByTestId('invite-code')).toHaveText(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  await expect(page.getByTestId('invite-link')).toContainText('/inbjudan/');
});

test('an association with a wrong check digit is refused beside the field, then accepted when corrected', async ({ page }) => {
  await signUp(page, 'Kassör', uniqueEmail('club'));
  await page.goto('/grupper/ny');
  await waitForHydration(page);
  await page.getByLabel('Förening', { exact: true }).check();
  await page.getByLabel('Gruppens namn').fill('Älta Schackklubb');
  await page.getByLabel('Vad gör ni?').fill('Schack för barn och vuxna varje tisdag.');
  await page.getByLabel('Älta').check();
  // A random valid number: nine digits and their Luhn check digit; the wrong one is one off.
  const nine = '80' + String(2000000 + Math.floor(Math.random() * 7999999)).slice(0, 7);
  const check = luhn(nine);
  await page.getByLabel(/^Organisationsnummer/).fill(`${nine.slice(0, 6)}-${nine.slice(6)}${(check + 1) % 10}`);

  await page.getByRole('button', { name: 'Registrera gruppen' }).click();

  await expect(page.locator('#org_number-error')).toContainText('Kontrollsiffran');
  await expect(page.getByLabel(/^Organisationsnummer/)).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Gruppens namn')).toHaveValue('Älta Schackklubb');
  await expect(page.getByLabel('Vad gör ni?')).toHaveValue('Schack för barn och vuxna varje tisdag.');
  await expect(page.getByLabel('Älta')).toBeChecked();
  await expect(page).toHaveURL('/grupper/ny');
  await expectNoAxeViolations(page);

  await page.getByLabel(/^Organisationsnummer/).fill(`${nine.slice(0, 6)}-${nine.slice(6)}${check}`);
  await page.getByRole('button', { name: 'Registrera gruppen' }).click();

  await expect(page).toHaveURL(/\/grupper\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('group-page')).toContainText(`${nine.slice(0, 6)}-${nine.slice(6)}${check}`);
});

test('my data shows what is stored and downloads it as JSON', async ({ page }) => {
  const email = uniqueEmail('export');
  await signUp(page, 'Exportera Mig', email);

  await page.getByRole('link', { name: 'Mina uppgifter' }).click();
  await expect(page.getByTestId('my-data')).toContainText(email);
  await expectNoAxeViolations(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);

  expect(download.suggestedFilename()).toBe('samverka-mina-uppgifter.json');
  const data = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
  expect(data.email).toBe(email);
  expect(data.name).toBe('Exportera Mig');
  expect(data.districts).toEqual(['Sicklaön']);
});

test('a wrong password is refused without saying which part was wrong; signing out works', async ({ page }) => {
  await page.goto('/logga-in');
  await waitForHydration(page);
  await page.getByLabel('Mobilnummer eller e-post').fill('anna@example.org');
  await page.getByLabel('Lösenord').fill('inte rätt lösenord');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page.getByRole('alert')).toContainText('Fel e-post/telefon eller lösenord');
  await expectNoAxeViolations(page);

  await signIn(page, 'anna@example.org', DEMO_PASSWORD);
  await expect(page.getByTestId('my-groups')).toContainText('Föräldranärvaro Sicklaön');
  await page.getByTestId('log-out').click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('link', { name: 'Logga in' })).toBeVisible();
  await page.goto('/start');
  await expect(page.getByText('Du behöver logga in')).toBeVisible();
});

test('staff verify a group and the badge shows; admin pages pass axe', async ({ page }) => {
  await signIn(page, 'sara.staff@example.org', DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Grupper', exact: true }).click();
  await expect(page.getByTestId('all-groups')).toContainText('Föräldranärvaro Sicklaön');
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Föräldranärvaro Sicklaön' }).click();
  await waitForHydration(page);
  await expect(page.getByTestId('members')).toContainText('Anna Lindqvist');
  await page.getByLabel('Hur har ni kontrollerat gruppen?').fill('Träffade båda kontaktpersonerna.');
  await page.getByRole('button', { name: 'Markera som verifierad' }).click();
  await expect(page.getByTestId('verified-badge')).toHaveText(/Verifierad av kommunen/);
  await expectNoAxeViolations(page);

  await page.getByTestId('log-out').click();
  await signIn(page, 'admin@example.org', DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Administration' }).click();
  await expect(page.getByTestId('staff-list')).toContainText('sara.staff@example.org');
  await page.getByLabel(/^Namn/).fill('Nils Samordnare');
  await page.getByLabel('E-post i tjänsten').fill(uniqueEmail('nils'));
  await page.getByRole('button', { name: 'Skapa kontot' }).click();
  await expect(page.getByTestId('temporary-password')).toHaveText(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await expectNoAxeViolations(page);
});

for (const lang of ['sv', 'en'] as const) {
  for (const path of ['/registrera', '/logga-in', '/integritet']) {
    test(`${path} (${lang}) has no axe-core violations and no overflow at 320 px`, async ({ page, baseURL }) => {
      await page.context().addCookies([{ name: 'samverka_lang', value: lang, url: baseURL! }]);
      await page.setViewportSize({ width: 320, height: 640 });
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expectNoAxeViolations(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }
}

test('signed-in pages pass axe in English too', async ({ page, baseURL }) => {
  await page.context().addCookies([{ name: 'samverka_lang', value: 'en', url: baseURL! }]);
  await page.goto('/logga-in');
  await waitForHydration(page);
  await page.getByLabel('Mobile number or e-mail').fill('anna@example.org');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/start');
  for (const path of ['/start', '/profil', '/mina-uppgifter', '/grupper/ny']) {
    await page.goto(path);
    await waitForHydration(page);
    await expectNoAxeViolations(page);
  }
});

function luhn(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let v = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(v / 10) + (v % 10);
  }
  return (10 - (sum % 10)) % 10;
}
