import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The blade's performance benchmark (scripts/bench-blade.sh starts the server on the
// 1,000,000-event database and runs this). It prints figures; it asserts nothing about time.
export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: "**/*.bench.ts",
  globalSetup: "./global-setup.ts",
  timeout: 600_000,
});
