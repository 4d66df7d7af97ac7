import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Opens a URL and waits until the page has hydrated. */
export async function open(page: Page, url = "/") {
  await page.goto(url);
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
}

/** The Preview bar. */
export function previewBar(page: Page) {
  return page.getByRole("button", { name: /Preview/ });
}

/** Clicks the Preview bar and waits until the server has saved the choice (a reload right
 * after the click would otherwise cancel the save on a slow machine). */
export async function clickPreview(page: Page) {
  const saved = page.waitForResponse(
    (r) => r.url().includes("save_preview") && r.request().method() === "POST",
  );
  await previewBar(page).click();
  expect((await saved).ok()).toBe(true);
}

/** Switches the Preview view on or off (the choice is saved on the server). */
export async function setPreview(page: Page, on: boolean) {
  const bar = previewBar(page);
  if ((await bar.getAttribute("aria-pressed")) !== String(on)) {
    await clickPreview(page);
  }
  await expect(bar).toHaveAttribute("aria-pressed", String(on));
  if (on) {
    await expect(page.getByRole("tablist", { name: "Sign-in reports" })).toBeVisible();
  } else {
    await expect(page.getByRole("tablist", { name: "Sign-in reports" })).toHaveCount(0);
  }
}

/** The report grid. */
export function grid(page: Page) {
  return page.getByRole("grid");
}

/** The body rows in the DOM (the header row excluded). */
export function bodyRows(page: Page) {
  return grid(page).locator(".body [role=row]");
}

/** Waits until the first body row shows data (not a loading placeholder). */
export async function waitForRows(page: Page) {
  await expect(bodyRows(page).first()).toBeVisible();
  await expect(bodyRows(page).first().locator(".shimmer")).toHaveCount(0);
}

/** The column header names of the grid, in order. */
export async function headers(page: Page): Promise<string[]> {
  const cells = grid(page).getByRole("columnheader");
  const texts = await cells.allInnerTexts();
  return texts.map((t) => t.replace(/[↑↓]/g, "").trim()).filter((t) => t !== "" && t !== "Expand");
}

/** The total the blade shows ("1,234 sign-ins" → 1234). */
export async function total(page: Page): Promise<number> {
  const text = await page.locator(".count").first().innerText();
  return Number(text.replace(/[^0-9]/g, ""));
}

/** Fails on any serious or critical accessibility violation. */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(bad, `accessibility of ${what}`).toEqual([]);
}

/** Saves a screenshot of the current view. */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: false });
}

/** Collects console errors and page errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}
