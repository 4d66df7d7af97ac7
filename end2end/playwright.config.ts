import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a browser Playwright downloads. The flags keep it quiet on a machine
// without internet (see BUILD-NOTES).
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./global-setup.ts",
  use: {
    baseURL: process.env.SIGNBOOK_E2E_URL ?? "http://127.0.0.1:3000",
    // Signed in as the demo tenant's Global Administrator (global-setup.ts).
    storageState: ".auth/admin.json",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
