// Issue #4 in the browser: signing in and out, an end user who sees only their own sign-ins,
// the portal's own sign-ins in the log, the admin page for administrators and readers, and
// the licence notice of a Free tenant. Runs after blade.spec.ts (serial, one worker).
import { expect, test, type Browser } from "@playwright/test";
import { ADMIN, END_USER, END_USER_NAME, READER, signIn, signOut } from "./accounts";
import { bodyRows, expectAccessible, open, setPreview, shot, total, waitForRows, watchErrors } from "./helpers";

test.describe.configure({ mode: "serial" });

/** A browser context nobody is signed in to. */
async function fresh(browser: Browser) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  return { context, page: await context.newPage() };
}

test("11. without a session the portal asks to sign in; a wrong password gets one message", async ({ browser }) => {
  const { context, page } = await fresh(browser);
  await page.goto("/?date=7d");
  await expect(page).toHaveURL(/\/signin\?next=/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await shot(page, "signin");
  await expectAccessible(page, "the sign-in page");
  await signIn(page, END_USER, "not-the-password");
  await expect(page.getByRole("alert")).toHaveText(/Your account or password is incorrect/);
  const wrong = await page.getByRole("alert").innerText();
  await signIn(page, "nobody@contoso.com", "not-the-password");
  await expect(page.getByRole("alert")).toHaveText(wrong);
  await shot(page, "signin-error");
  await expectAccessible(page, "the sign-in error");
  await context.close();
});

test("12. an end user sees only their own sign-ins, in every tab and in details", async ({ browser, page: admin }) => {
  // An administrator's view: a Request ID of someone else (Adele's own portal sign-in).
  await open(admin, "/?user=Adele&date=7d");
  await setPreview(admin, false);
  await waitForRows(admin);
  const foreignId = (await bodyRows(admin).first().locator(".copyable").first().innerText()).trim();
  expect(foreignId).not.toEqual("");

  const { context, page } = await fresh(browser);
  const errors = watchErrors(page);
  await signIn(page, END_USER);
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("note")).toHaveText(/You are seeing your own sign-ins only/);
  await expect(page.locator(".who-name")).toHaveText(END_USER_NAME);
  await expect(page.getByRole("link", { name: /Admin|Tenant settings/ })).toHaveCount(0);
  // A month: the demo data give one person about one non-interactive sign-in a day, so
  // the default 24 hours may hold none of them, depending on the hour the demo was made.
  await open(page, "/?date=1m");
  await setPreview(page, false);
  await waitForRows(page);
  expect(await total(page)).toBeGreaterThan(0);
  for (const text of await bodyRows(page).allInnerTexts()) {
    expect(text).toContain(END_USER_NAME);
  }
  await shot(page, "end-user");
  await expectAccessible(page, "the end user's view");

  await setPreview(page, true);
  const tabs = page.getByRole("tablist", { name: "Sign-in reports" });
  await tabs.getByRole("tab", { name: "User sign-ins (non-interactive)" }).click();
  await waitForRows(page);
  for (const text of await bodyRows(page).allInnerTexts()) {
    expect(text).toContain(END_USER_NAME);
  }
  for (const machine of ["Service principal sign-ins", "Managed identity sign-ins"]) {
    await tabs.getByRole("tab", { name: machine }).click();
    await expect(page.getByRole("heading", { name: "No sign-ins match these filters" })).toBeVisible();
  }
  await setPreview(page, false);

  // Someone else's sign-in by its URL is as absent as one that does not exist.
  await open(page, `/?date=7d&details=${encodeURIComponent(foreignId)}`);
  await expect(page.getByRole("alert")).toHaveText(/No sign-in with this Request ID is stored/);
  expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
  await page.keyboard.press("Escape");

  await signOut(page);
  await expect(page.getByRole("status")).toHaveText("You have signed out.");
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await context.close();
});

test("13. the portal's own sign-ins are in the log, failures with their codes", async ({ page }) => {
  await open(page, `/?user=${encodeURIComponent(END_USER)}&app=Signbook&date=24h`);
  await setPreview(page, false);
  await waitForRows(page);
  const rows = await bodyRows(page).allInnerTexts();
  expect(rows.some((r) => r.includes("Failure"))).toBeTruthy();
  expect(rows.some((r) => r.includes("Success"))).toBeTruthy();
  // The failure's details name its code.
  await bodyRows(page).filter({ hasText: "Failure" }).first().click();
  const pane = page.getByRole("dialog", { name: "Activity Details: Sign-ins" });
  await expect(pane).toBeVisible();
  await expect(pane).toContainText("50126");
  await shot(page, "portal-sign-in-details");
});

test("14. the admin page lists users and roles, and a new user gets a one-time password", async ({ browser, page }) => {
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Tenant settings" })).toBeVisible();
  const table = page.getByRole("table");
  for (const upn of [ADMIN, READER, END_USER]) {
    await expect(table.getByRole("cell", { name: upn, exact: true })).toBeVisible();
  }
  const upn = `e2e.${Date.now()}@contoso.com`;
  await page.getByLabel("User principal name").fill(upn);
  await page.getByLabel("Display name").fill("Eddie Endtoend");
  await page.getByRole("button", { name: "Add user" }).click();
  const secret = page.locator("code.secret");
  await expect(secret).toBeVisible();
  const oneTime = (await secret.innerText()).trim();
  await shot(page, "admin");
  await expectAccessible(page, "the admin page");

  // The new user must choose a password first, then sees their own sign-ins only.
  const { context, page: user } = await fresh(browser);
  await signIn(user, upn, oneTime);
  await expect(user.getByRole("heading", { name: "Change your password" })).toBeVisible();
  await expectAccessible(user, "the password change");
  await user.getByLabel("Current password").fill(oneTime);
  await user.getByLabel(/^New password/).fill("a brand new password");
  await user.getByLabel("Confirm the new password").fill("a brand new password");
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(user.getByRole("note")).toHaveText(/your own sign-ins only/);
  await context.close();
});

test("15. a Reports Reader reads the tenant's sign-ins and settings but changes nothing", async ({ browser }) => {
  const { context, page } = await fresh(browser);
  await signIn(page, READER);
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("note")).toHaveCount(0);
  await page.getByRole("link", { name: "Tenant settings" }).click();
  await expect(page.getByRole("heading", { name: "Tenant settings" })).toBeVisible();
  await expect(page.getByText(/only a Global Administrator can change them/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Add a user" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Change role|Reset password|Save/ })).toHaveCount(0);
  await shot(page, "admin-read-only");
  await context.close();
});

test("16. a Free tenant sees the licence notice and its data again after the upgrade", async ({ page }) => {
  await page.goto("/admin");
  await page.getByLabel("Licence", { exact: true }).selectOption("free");
  await page.getByRole("button", { name: "Save licence and retention" }).click();
  await expect(page.getByRole("status")).toContainText("Free licence");
  await page.goto("/");
  await expect(page.getByText("Sign-in activity needs a Premium licence.")).toBeVisible();
  await expect(page.getByRole("grid")).toHaveCount(0);
  await shot(page, "licence-notice");
  await expectAccessible(page, "the licence notice");
  await page.goto("/admin");
  await page.getByLabel("Licence", { exact: true }).selectOption("premium");
  await page.getByRole("button", { name: "Save licence and retention" }).click();
  await expect(page.getByRole("status")).toContainText("Premium licence");
  await open(page, "/");
  await waitForRows(page);
});
