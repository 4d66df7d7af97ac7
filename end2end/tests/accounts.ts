import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** The demo tenant's accounts (README: "Signing in"). */
export const PASSWORD = "signbook-demo-2026";
export const ADMIN = "adele.vance@contoso.com";
export const READER = "alex.wilber@contoso.com";
export const END_USER = "megan.bowen@contoso.com";
export const END_USER_NAME = "Megan Bowen";

/** Where the administrator's session is kept between tests. */
export const ADMIN_STATE = ".auth/admin.json";

/** Signs in through the form with a request context (no browser). */
export async function signInRequest(context: APIRequestContext, base: string, upn: string) {
  const form = await context.get("/signin");
  const html = await form.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error("the sign-in form has no token");
  const response = await context.post("/signin", {
    form: { upn, password: PASSWORD, csrf, next: "/" },
    headers: { Origin: base },
    maxRedirects: 0,
  });
  if (response.status() !== 303) {
    throw new Error(`signing in as ${upn} answered ${response.status()}`);
  }
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, upn: string, password = PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email or user principal name").fill(upn);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs out with the top bar's button. */
export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin\?signed_out=1/);
}
