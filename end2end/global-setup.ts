// cargo-leptos starts the server and runs the tests at once; on a first start the server
// creates and seeds the demo database, so wait until it answers. Then sign in once as the demo
// tenant's Global Administrator and keep the session for the tests (storageState).
import { request } from "@playwright/test";
import { ADMIN, ADMIN_STATE, signInRequest } from "./tests/accounts";

export default async function globalSetup() {
  const url = process.env.SIGNBOOK_E2E_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 180_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url + "/signin");
      if (response.ok) break;
      last = `HTTP ${response.status}`;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() + 500 >= deadline) {
      throw new Error(`the server at ${url} did not answer within 180 s (${last})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const context = await request.newContext({ baseURL: url });
  await signInRequest(context, url, ADMIN);
  await context.storageState({ path: ADMIN_STATE });
  await context.dispose();
}
