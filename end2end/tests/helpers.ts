import { expect, type Page } from '@playwright/test';

/** Waits until the wasm has taken over the page: the network status only updates after hydration. */
export async function waitForHydration(page: Page) {
  await expect(page.getByTestId('net-status')).toHaveAttribute('data-state', /online|offline/);
}
