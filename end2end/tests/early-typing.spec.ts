import { test, expect, type Page } from './fixtures';
import { waitForHydration, PASSWORD, DEMO_PASSWORD, uniqueEmail, signIn, signUp } from './helpers';

/*
 * Nothing typed is lost while a page wakes up. The page's HTML is usable at once; its code
 * comes later (the main module, then the page's own chunk). Every form is filled at the
 * earliest moment (as soon as its HTML has arrived), with the wasm held back by a different
 * delay each round, so the typing lands before, during and after hydration. Then each field
 * must still hold what was typed, and sending must work.
 */

/** How long each round holds back the wasm modules (ms): after, during, before hydration. */
const DELAYS = [0, 50, 150, 300, 600, 1000];

// A service worker would serve the modules itself, past the delay.
test.use({ serviceWorkers: 'block' });

/**
 * A round's time budget: every page starts its app only once loaded (or at first use) and then
 * fetches its modules one after another, each held back by `delay`. Rounds with short holds
 * took 14.5–30 s: Playwright's default 30 s is their typical time, not a limit.
 */
function budget(delay: number) {
  return delay >= 600 ? 180_000 : 90_000;
}

async function holdWasm(page: Page, delay: number) {
  await page.unroute('**/*.wasm');
  await page.route('**/*.wasm', async (route) => {
    await new Promise((done) => setTimeout(done, delay));
    await route.continue();
  });
}

/** Opens a page and returns as soon as its HTML has arrived, before its code runs. */
async function openEarly(page: Page, path: string) {
  await page.goto(path, { waitUntil: 'commit' });
}

for (const delay of DELAYS) {
  test(`sign-up, sign-in and a group keep what was typed early (wasm held ${delay} ms)`, async ({ page, context }) => {
    // Seven pages, each waiting for its wasm modules (the main one and the page's chunks, one
    // after another), every one held back, and each starting its app only once loaded and idle
    // (or at first use): even short holds near the default 30 s (see `budget`).
    test.setTimeout(budget(delay));
    await holdWasm(page, delay);
    const email = uniqueEmail(`early${delay}`);

    await openEarly(page, '/registrera');
    await page.getByLabel('Namn eller smeknamn').fill(`Tidig ${delay}`);
    await page.getByLabel('Mobilnummer eller e-post').fill(email);
    await page.getByLabel('Lösenord').fill(PASSWORD);
    await page.getByLabel('Sicklaön').check();
    await page.getByLabel('Jag har läst och godkänner').check();
    await waitForHydration(page);
    await expect(page.getByLabel('Namn eller smeknamn')).toHaveValue(`Tidig ${delay}`);
    await expect(page.getByLabel('Mobilnummer eller e-post')).toHaveValue(email);
    await expect(page.getByLabel('Sicklaön')).toBeChecked();
    await page.getByRole('button', { name: 'Skapa konto' }).click();
    await expect(page).toHaveURL('/start');
    await expect(page.getByTestId('start-heading')).toHaveText(`Hej Tidig ${delay}!`);

    await context.clearCookies();
    await openEarly(page, '/logga-in');
    await page.getByLabel('Mobilnummer eller e-post').fill(email);
    await page.getByLabel('Lösenord').fill(PASSWORD);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await expect(page).toHaveURL('/start');

    await openEarly(page, '/grupper/ny');
    await page.getByLabel('Informell grupp').check();
    await page.getByLabel('Gruppens namn').fill(`Tidiga gruppen ${delay}`);
    await page.getByLabel('Vad gör ni?').fill('Vi skriver innan sidan har vaknat.');
    await page.getByLabel('Boo', { exact: true }).check();
    await page.getByLabel('Trygg i hela Nacka').check();
    await waitForHydration(page);
    await expect(page.getByLabel('Gruppens namn')).toHaveValue(`Tidiga gruppen ${delay}`);
    await expect(page.getByLabel('Boo', { exact: true })).toBeChecked();
    await page.getByRole('button', { name: 'Registrera gruppen' }).click();
    await expect(page).toHaveURL(/\/grupper\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Tidiga gruppen ${delay}`);
    await expect(page.getByTestId('group-page')).toContainText('Informell grupp');

    // The group's own forms (the contact's "become formal") keep early typing too.
    const groupPath = new URL(page.url()).pathname;
    await openEarly(page, groupPath);
    await page.getByLabel('Förening', { exact: true }).check();
    await page.getByLabel(/^Organisationsnummer/).fill('802000-0001');
    await waitForHydration(page);
    await expect(page.getByLabel('Förening', { exact: true })).toBeChecked();
    await expect(page.getByLabel(/^Organisationsnummer/)).toHaveValue('802000-0001');

    await openEarly(page, '/start');
    await page.getByRole('textbox', { name: 'Inbjudningskod' }).fill('K7MQ2-XPD9R');
    await waitForHydration(page);
    await expect(page.getByRole('textbox', { name: 'Inbjudningskod' })).toHaveValue('K7MQ2-XPD9R');

    await openEarly(page, '/profil');
    await page.getByLabel('Namn eller smeknamn').fill(`Omdöpt ${delay}`);
    await page.getByLabel('Nytt lösenord').fill('ännu ett långt lösenord');
    await page.getByLabel('Nuvarande lösenord').fill(PASSWORD);
    await waitForHydration(page);
    await expect(page.getByLabel('Namn eller smeknamn')).toHaveValue(`Omdöpt ${delay}`);
    await expect(page.getByLabel('Nuvarande lösenord')).toHaveValue(PASSWORD);
    await expect(page.getByLabel('Nytt lösenord')).toHaveValue('ännu ett långt lösenord');
    await page.getByTestId('profile-form').getByRole('button', { name: 'Spara' }).click();
    await expect(page.getByTestId('profile-form').getByText('Sparat.')).toBeVisible();

    await openEarly(page, '/mina-uppgifter');
    await page.getByLabel('Ditt lösenord, för att bekräfta').fill(PASSWORD);
    await waitForHydration(page);
    await expect(page.getByLabel('Ditt lösenord, för att bekräfta')).toHaveValue(PASSWORD);
  });
}

for (const delay of [0, 300, 1000]) {
  test(`staff forms keep what was typed early (wasm held ${delay} ms)`, async ({ page }) => {
    await signIn(page, 'admin@example.org', DEMO_PASSWORD);
    await holdWasm(page, delay);

    await openEarly(page, '/admin');
    await page.getByRole('textbox', { name: 'Namn', exact: true }).fill(`Ny handläggare ${delay}`);
    await page.getByLabel('E-post i tjänsten').fill(uniqueEmail(`staff${delay}`));
    await page.getByRole('radio', { name: 'Handläggare' }).check();
    await waitForHydration(page);
    await expect(page.getByRole('textbox', { name: 'Namn', exact: true })).toHaveValue(`Ny handläggare ${delay}`);
    await expect(page.getByRole('radio', { name: 'Handläggare' })).toBeChecked();
    await page.getByRole('button', { name: 'Skapa kontot' }).click();
    await expect(page.getByTestId('temporary-password')).toBeVisible();

    // A staff member's verification note on an unverified group.
    await page.goto('/personal/grupper');
    await waitForHydration(page);
    await page.getByTestId('all-groups').getByRole('link').first().click();
    await expect(page).toHaveURL(/\/grupper\/[0-9a-f-]{36}$/);
    const groupPath = new URL(page.url()).pathname;
    await openEarly(page, groupPath);
    await page.getByLabel('Hur har ni kontrollerat gruppen?').fill(`Träffade dem ${delay}`);
    await waitForHydration(page);
    await expect(page.getByLabel('Hur har ni kontrollerat gruppen?')).toHaveValue(`Träffade dem ${delay}`);
  });
}

for (const delay of [0, 300, 1000]) {
  test(`an offer and closing the account keep what was typed early (wasm held ${delay} ms)`, async ({ page }) => {
    test.setTimeout(budget(delay));
    await signUp(page, 'Erbjudare', uniqueEmail(`offer${delay}`));
    await holdWasm(page, delay);

    await openEarly(page, '/erbjudanden/ny');
    await page.getByLabel('En timme då och då, när det passar').check();
    await page.getByLabel('Sicklaön').check();
    await page.getByLabel('Kort meddelande (valfritt)').fill(`Ringer gärna ${delay}`);
    await waitForHydration(page);
    await expect(page.getByLabel('Kort meddelande (valfritt)')).toHaveValue(`Ringer gärna ${delay}`);
    await page.getByRole('button', { name: 'Spara erbjudandet' }).click();
    await expect(page).toHaveURL('/erbjudanden?sparat=1');
    await expect(page.getByText(`Ringer gärna ${delay}`)).toBeVisible();

    await openEarly(page, '/mina-uppgifter');
    await page.getByLabel('Ditt lösenord, för att bekräfta').fill(PASSWORD);
    await waitForHydration(page);
    await expect(page.getByLabel('Ditt lösenord, för att bekräfta')).toHaveValue(PASSWORD);
    await page.getByRole('button', { name: 'Avsluta kontot för gott' }).click();
    await expect(page).toHaveURL('/konto-avslutat');
  });
}
