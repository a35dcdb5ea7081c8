import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';

// The server under test: a release build started by `scripts/test.sh`'s build step.
// SAMVERKA_BIN and LEPTOS_SITE_ROOT come from scripts/test.sh; the defaults suit `cargo leptos`.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const dbDir = path.join(os.tmpdir(), `samverka-e2e-${process.pid}`);

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  // One retry, reported as "flaky" in the list: closing the account right after the page says
  // it is ready now and then submits the form natively (its Suspense subtree hydrates late;
  // see the needs issue's note). A test that fails twice still fails the run.
  retries: 1,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    locale: 'en-US', // a browser set to English still gets Swedish until the person chooses
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'off',
  },
  webServer: {
    command: `rm -rf ${dbDir} && ${process.env.SAMVERKA_BIN ?? '../target/release/samverka'} --demo`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      SAMVERKA_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dbDir}/e2e.db`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? '../target/site',
      LEPTOS_OUTPUT_NAME: 'samverka',
      LEPTOS_ENV: 'PROD',
      RUST_LOG: 'warn',
      // The whole suite signs people up from one address, past the default 20 an hour.
      SAMVERKA_SIGN_UPS_PER_HOUR: '1000',
    },
  },
});
