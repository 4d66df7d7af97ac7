import { expect, test } from "@playwright/test";
import {
  bodyRows,
  clickPreview,
  expectAccessible,
  grid,
  headers,
  open,
  setPreview,
  shot,
  total,
  waitForRows,
  watchErrors,
} from "./helpers";
import { ADMIN_STATE } from "./accounts";

const TABS = [
  "User sign-ins (interactive)",
  "User sign-ins (non-interactive)",
  "Service principal sign-ins",
  "Managed identity sign-ins",
];

test.describe.configure({ mode: "serial" });

test("1. the portal opens on the classic list of interactive sign-ins", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await setPreview(page, false);
  await expect(page.getByRole("heading", { name: "Sign-in logs" })).toBeVisible();
  await waitForRows(page);
  expect(await headers(page)).toEqual([
    "Date",
    "Request ID",
    "User",
    "Application",
    "Status",
    "IP address",
    "Location",
    "Conditional access",
  ]);
  expect(await total(page)).toBeGreaterThan(0);
  await expect(bodyRows(page).first().getByText(/^(Success|Failure|Interrupted)$/)).toBeVisible();
  await shot(page, "classic");
  await expectAccessible(page, "the classic view");
  expect(errors).toEqual([]);
});

test("2. the Preview bar switches to four tabs and back, and the choice is kept", async ({ page }) => {
  await open(page);
  await setPreview(page, false);
  await clickPreview(page);
  const tabs = page.getByRole("tablist", { name: "Sign-in reports" }).getByRole("tab");
  await expect(tabs).toHaveText(TABS);
  await clickPreview(page);
  await expect(page.getByRole("tablist", { name: "Sign-in reports" })).toHaveCount(0);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("tablist", { name: "Sign-in reports" })).toHaveCount(0);
  await clickPreview(page);
  await expect(tabs).toHaveText(TABS);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("tablist", { name: "Sign-in reports" }).getByRole("tab")).toHaveText(TABS);
  await expect(tabs.first()).toHaveAttribute("aria-selected", "true");
  await waitForRows(page);
  await shot(page, "preview-interactive");
  await expectAccessible(page, "the Preview view");
});

test("3. each tab shows its columns; only the interactive tab's can be chosen", async ({ page }) => {
  await open(page);
  await setPreview(page, true);
  const expected: Record<string, string[]> = {
    "User sign-ins (non-interactive)": ["Date", "Request ID", "User", "Application", "Status", "IP address", "Resource ID", "# sign-ins"],
    "Service principal sign-ins": ["Date", "Request ID", "Service principal name or ID", "Status", "IP address", "Resource", "Resource ID", "# sign-ins"],
    "Managed identity sign-ins": ["Date", "Managed identity ID", "Managed identity name", "Resource", "Resource ID", "# sign-ins"],
  };
  const names = { "User sign-ins (non-interactive)": "noninteractive", "Service principal sign-ins": "serviceprincipal", "Managed identity sign-ins": "managedidentity" } as const;
  for (const [tab, columns] of Object.entries(expected)) {
    await page.getByRole("tab", { name: tab }).click();
    await expect(page).toHaveURL(new RegExp(`tab=${names[tab as keyof typeof names]}`));
    await expect(grid(page)).toHaveAttribute("aria-label", new RegExp(tab.replace(/[()]/g, "\\$&")));
    await waitForRows(page);
    expect(await headers(page)).toEqual(columns);
    await shot(page, `preview-${names[tab as keyof typeof names]}`);
    await expectAccessible(page, tab);
    await page.getByRole("button", { name: "Columns" }).click();
    await expect(page.getByRole("dialog", { name: "Columns" })).toContainText("can't be customized");
    await page.getByRole("dialog", { name: "Columns" }).getByRole("button", { name: "Close" }).click();
  }

  await page.getByRole("tab", { name: "User sign-ins (interactive)" }).click();
  await waitForRows(page);
  await page.getByRole("button", { name: "Columns" }).click();
  const picker = page.getByRole("dialog", { name: "Columns" });
  await picker.getByRole("checkbox", { name: "Operating system" }).check();
  await picker.getByRole("checkbox", { name: "Conditional access" }).uncheck();
  await shot(page, "columns-picker");
  await expectAccessible(page, "the Columns picker");
  await picker.getByRole("button", { name: "Save" }).click();
  await waitForRows(page);
  expect(await headers(page)).toContain("Operating system");
  expect(await headers(page)).not.toContain("Conditional access");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await waitForRows(page);
  expect(await headers(page)).toContain("Operating system");
  // Rows show their operating system in the new column (the portal's own sign-ins from
  // tools without a known one leave it empty).
  await expect(bodyRows(page).filter({ hasText: /Windows|iOS|Android|MacOs|Linux|Ubuntu|macOS/ }).first()).toBeVisible();
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("dialog", { name: "Columns" }).getByRole("button", { name: "Reset to defaults" }).click();
  await waitForRows(page);
  expect(await headers(page)).toContain("Conditional access");
  expect(await headers(page)).not.toContain("Operating system");
});

test("4. grouped tabs count sign-ins, expand in place and split by time aggregate", async ({ page }) => {
  await open(page, "/?tab=noninteractive&date=7d");
  await setPreview(page, true);
  await waitForRows(page);
  const groups = await total(page);
  expect(groups).toBeGreaterThan(0);
  // A group with more than one sign-in.
  const counts = await bodyRows(page).locator(".cell.num").allInnerTexts();
  const index = counts.findIndex((c) => Number(c) > 1);
  expect(index, "a group of several sign-ins").toBeGreaterThanOrEqual(0);
  const row = bodyRows(page).nth(index);
  const n = Number(counts[index]);
  await row.click();
  await expect(row.getByRole("button", { name: `Show the ${n} sign-ins of this group` })).toHaveAttribute("aria-expanded", "true");
  const members = grid(page).locator(".row.member .member-cell");
  await expect(members.first()).toBeVisible();
  await expect(members).toHaveCount(Math.min(n, 50));
  await shot(page, "group-expanded");
  await members.first().click();
  await expect(page.getByRole("dialog", { name: "Activity Details: Sign-ins" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Activity Details: Sign-ins" })).toHaveCount(0);

  await page.getByLabel("Time aggregate").selectOption({ label: "1 hour" });
  await expect(page).toHaveURL(/agg=1h/);
  await waitForRows(page);
  expect(await total(page)).toBeGreaterThanOrEqual(groups);
  await page.getByLabel("Time aggregate").selectOption({ label: "Whole range" });
  await expect(page).not.toHaveURL(/agg=/);
});

test("5. the details pane has every section, its own URL, and closes with Esc", async ({ page }) => {
  await open(page);
  await setPreview(page, false);
  await waitForRows(page);
  const id = (await bodyRows(page).first().locator(".copyable").first().innerText()).trim();
  await bodyRows(page).first().click();
  const dialog = page.getByRole("dialog", { name: "Activity Details: Sign-ins" });
  await expect(dialog).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`details=${id}`));
  await expect(dialog.getByRole("tab")).toHaveText([
    "Basic info",
    "Location",
    "Device info",
    "Authentication Details",
    "Conditional Access",
    "Report-only",
    "Additional Details",
  ]);
  await expect(dialog).toContainText(id);
  await shot(page, "details-basic");
  await expectAccessible(page, "the details pane");
  await dialog.getByRole("tab", { name: "Authentication Details" }).click();
  await expect(dialog.getByRole("tabpanel")).toBeVisible();
  await shot(page, "details-authentication");
  await dialog.getByRole("tab", { name: "Conditional Access" }).click();
  await expect(dialog.getByRole("tabpanel")).toContainText(/Conditional Access status/);

  // Its URL opens it directly.
  const url = page.url();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(page).not.toHaveURL(/details=/);
  await open(page, url.replace(/^https?:\/\/[^/]+/, ""));
  await expect(page.getByRole("dialog", { name: "Activity Details: Sign-ins" })).toContainText(id);
  await page.getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("dialog", { name: "Activity Details: Sign-ins" })).toHaveCount(0);
});

test("6. date and field filters live in the URL, as chips, shared by the user tabs", async ({ page }) => {
  await open(page, "/?date=24h");
  await setPreview(page, true);
  await waitForRows(page);
  const day = await total(page);

  await page.getByRole("button", { name: /^Date: / }).click();
  const dates = page.getByRole("dialog", { name: "Date range" });
  for (const name of ["One month", "Seven days", "Twenty-four hours", "Custom"]) {
    await expect(dates.getByRole("radio", { name })).toBeVisible();
  }
  await shot(page, "date-menu");
  await expectAccessible(page, "the date menu");
  await dates.getByRole("radio", { name: "Seven days" }).click();
  await expect(page).toHaveURL(/date=7d/);
  await waitForRows(page);
  await expect.poll(() => total(page)).toBeGreaterThan(day);

  await page.getByRole("button", { name: /^Date: / }).click();
  await dates.getByRole("radio", { name: "Custom" }).check();
  await dates.getByLabel(/Start/).fill("2020-01-01T00:00");
  await dates.getByLabel(/End/).fill("2020-01-02T00:00");
  await dates.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/date=custom/);
  await expect(page.getByRole("heading", { name: "No sign-ins match these filters" })).toBeVisible();
  await shot(page, "empty");
  await expectAccessible(page, "the empty state");
  await page.goBack();
  await expect(page).toHaveURL(/date=7d/);
  await waitForRows(page);

  // A multi-select filter.
  await page.getByRole("button", { name: "Add filters" }).click();
  const menu = page.getByRole("menu", { name: "Add filters" });
  for (const name of ["Request ID", "Correlation ID", "User", "Application", "Status", "IP address", "Location", "Resource", "Resource ID", "Conditional Access", "Client app", "Operating system", "Browser", "Token issuer type"]) {
    await expect(menu.getByRole("menuitem", { name, exact: true })).toBeVisible();
  }
  await expectAccessible(page, "the Add filters menu");
  await menu.getByRole("menuitem", { name: "Status" }).click();
  const editor = page.getByRole("dialog", { name: "Status filter" });
  await editor.getByRole("checkbox", { name: "Failure" }).check();
  await shot(page, "status-filter");
  await expectAccessible(page, "a filter editor");
  await editor.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=failure/);
  await expect(page.getByRole("button", { name: "Edit filter: Status: Failure" })).toBeVisible();
  await waitForRows(page);
  for (const status of await bodyRows(page).locator(".status").allInnerTexts()) {
    expect(status).toBe("Failure");
  }

  // A text filter from a value on screen.
  const user = (await bodyRows(page).first().getByRole("gridcell").nth(2).innerText()).trim();
  const prefix = user.slice(0, 4);
  await page.getByRole("button", { name: "Add filters" }).click();
  await page.getByRole("menu", { name: "Add filters" }).getByRole("menuitem", { name: "User" }).click();
  await page.getByRole("dialog", { name: "User filter" }).getByRole("textbox").fill(prefix);
  await page.getByRole("dialog", { name: "User filter" }).getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("button", { name: `Edit filter: User starts with ${prefix}` })).toBeVisible();
  await waitForRows(page);
  await shot(page, "filters");

  // The non-interactive tab keeps the filter.
  await page.getByRole("tab", { name: "User sign-ins (non-interactive)" }).click();
  await expect(page).toHaveURL(/tab=noninteractive/);
  await expect(page).toHaveURL(/status=failure/);
  await expect(page.getByRole("button", { name: "Edit filter: Status: Failure" })).toBeVisible();

  // Back and forward.
  await page.goBack();
  await expect(page).not.toHaveURL(/tab=/);
  await page.goBack();
  await expect(page.getByRole("button", { name: /Edit filter: User/ })).toHaveCount(0);
  await page.goForward();
  await expect(page.getByRole("button", { name: /Edit filter: User/ })).toBeVisible();

  // Removing chips.
  await page.getByRole("button", { name: "Remove User filter" }).click();
  await page.getByRole("button", { name: "Remove Status filter" }).click();
  await expect(page).not.toHaveURL(/status=/);
  await expect(page.getByRole("button", { name: /Edit filter/ })).toHaveCount(0);
});

test("6b. the last filter is remembered for the next visit", async ({ page }) => {
  await open(page, "/?date=7d&status=failure");
  await expect(page.getByRole("button", { name: "Edit filter: Status: Failure" })).toBeVisible();
  await page.waitForTimeout(500); // the save is in the background
  await open(page, "/");
  await expect(page).toHaveURL(/date=7d/);
  await expect(page).toHaveURL(/status=failure/);
  await expect(page.getByRole("button", { name: "Edit filter: Status: Failure" })).toBeVisible();
  // Back to the defaults, which are remembered too.
  await page.getByRole("button", { name: "Reset filters" }).click();
  await page.getByRole("button", { name: /^Date: / }).click();
  await page.getByRole("dialog", { name: "Date range" }).getByRole("radio", { name: "Twenty-four hours" }).click();
  await expect(page.getByRole("button", { name: /Edit filter/ })).toHaveCount(0);
  await page.waitForTimeout(500);
  await open(page, "/");
  await expect(page).not.toHaveURL(/\?/);
  await expect(page.getByRole("button", { name: "Date: Twenty-four hours" })).toBeVisible();
});

test("7. the table sorts on the server, scrolls the whole result and works from the keyboard", async ({ page }) => {
  await open(page, "/?date=1m");
  await setPreview(page, false);
  await waitForRows(page);
  const all = await total(page);
  expect(all).toBeGreaterThan(300);

  await grid(page).getByRole("button", { name: "User" }).click();
  await expect(page).toHaveURL(/sort=user-asc/);
  await expect(grid(page).getByRole("columnheader", { name: /User/ }).first()).toHaveAttribute("aria-sort", "ascending");
  await waitForRows(page);
  const users = (await bodyRows(page).locator("[role=gridcell]:nth-child(3)").allInnerTexts()).slice(0, 10);
  // The server orders by the lower-cased name, code point by code point.
  const lower = users.map((u) => u.toLowerCase());
  const sorted = [...lower].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  expect(lower).toEqual(sorted);
  await grid(page).getByRole("button", { name: "User" }).click();
  await expect(page).toHaveURL(/sort=user-desc/);
  await grid(page).getByRole("button", { name: "Date" }).click();
  await expect(page).toHaveURL(/sort=date-desc|^[^?]*\?date=1m$/);

  // Scroll to the end: the last row is fetched and shown, few rows are in the DOM.
  await grid(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  const last = grid(page).locator(`[aria-rowindex="${all + 1}"]`);
  await expect(last).toBeVisible();
  await expect(last.locator(".shimmer")).toHaveCount(0);
  expect(await bodyRows(page).count()).toBeLessThanOrEqual(200);
  await grid(page).evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await expect(bodyRows(page).locator(".shimmer")).toHaveCount(0);
  await grid(page).evaluate((el) => (el.scrollTop = 0));

  // Keyboard: focus, arrows, Enter.
  await grid(page).focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(grid(page).locator('[aria-rowindex="4"]')).toHaveAttribute("aria-selected", "true");
  await expect(grid(page)).toHaveAttribute("aria-activedescendant", "row-2");
  await shot(page, "keyboard-selection");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Activity Details: Sign-ins" })).toBeVisible();
  await page.keyboard.press("Escape");

  // Resizing a column.
  const header = grid(page).getByRole("columnheader").nth(2);
  const before = (await header.boundingBox())!.width;
  const handle = header.locator(".resize");
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 80, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  expect((await header.boundingBox())!.width).toBeGreaterThan(before + 40);

  // Sticky header: still visible after scrolling.
  await grid(page).evaluate((el) => (el.scrollTop = 3000));
  await expect(grid(page).getByRole("columnheader", { name: "Request ID" })).toBeInViewport();
});

test("7b. a failed load says so and Retry recovers", async ({ page }) => {
  await open(page);
  await setPreview(page, false);
  await waitForRows(page);
  await page.route("**/api/load_table_page*", (route) => route.abort());
  await page.getByRole("button", { name: /^Date: / }).click();
  await page.getByRole("dialog", { name: "Date range" }).getByRole("radio", { name: "Seven days" }).click();
  const retry = page.getByRole("button", { name: "Retry" });
  await expect(retry).toBeVisible();
  await expect(page.getByRole("alert").first()).toContainText("could not be loaded");
  await shot(page, "error");
  await expectAccessible(page, "the error state");
  await page.unroute("**/api/load_table_page*");
  await retry.click();
  await waitForRows(page);
});

test("8. times switch between local and UTC; identifiers copy in one click", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page);
  await setPreview(page, false);
  await waitForRows(page);
  await expect(grid(page).getByRole("columnheader").first()).toHaveText(/^Date/);
  await page.getByRole("group", { name: "Time zone" }).getByRole("button", { name: "UTC" }).click();
  await expect(page).toHaveURL(/tz=utc/);
  await expect(grid(page).getByRole("columnheader", { name: "Date (UTC)" })).toBeVisible();
  await page.getByRole("group", { name: "Time zone" }).getByRole("button", { name: "Local" }).click();
  await expect(page).not.toHaveURL(/tz=utc/);

  const row = bodyRows(page).first();
  const id = (await row.locator(".copyable").first().innerText()).trim();
  await row.hover();
  await row.getByRole("button", { name: `Copy Request ID ${id}` }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id);
  await expect(page.getByRole("dialog", { name: "Activity Details: Sign-ins" })).toHaveCount(0);
});

test("9. the chart stacks sign-ins by status and a bar narrows the date", async ({ page }) => {
  await open(page, "/?date=7d");
  await setPreview(page, false);
  const chart = page.getByRole("region", { name: "Sign-ins over time by status" });
  const bars = chart.getByRole("button");
  await expect(bars).toHaveCount(28);
  let target = -1;
  for (let i = 27; i >= 0; i--) {
    const label = (await bars.nth(i).getAttribute("aria-label")) ?? "";
    if (/: [1-9][0-9]* sign-ins/.test(label)) {
      target = i;
      break;
    }
  }
  expect(target).toBeGreaterThanOrEqual(0);
  await shot(page, "chart");
  await bars.nth(target).click();
  await expect(page).toHaveURL(/date=custom/);
  await expect(page.getByRole("button", { name: /^Date: .+ – .+/ })).toBeVisible();
  await waitForRows(page);
});

test("10. without WASM the first page renders and its links work", async ({ page: withJs, browser }) => {
  await open(withJs);
  await setPreview(withJs, true);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: ADMIN_STATE });
  const page = await context.newPage();
  await page.goto("/?tab=serviceprincipal&date=7d");
  await expect(page.getByRole("grid")).toBeVisible();
  await expect(page.locator(".body [role=row]").first()).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Service principal name or ID" })).toBeVisible();
  const tablist = page.getByRole("tablist", { name: "Sign-in reports" });
  await tablist.getByRole("tab", { name: "Managed identity sign-ins" }).click();
  await expect(page).toHaveURL(/tab=managedidentity/);
  await expect(page.getByRole("columnheader", { name: "Managed identity name" })).toBeVisible();
  await shot(page, "no-wasm");
  await context.close();
});

test("10b. hydration keeps the server-rendered rows (no flicker)", async ({ page }) => {
  // Before any page script runs, watch for rows being removed or replaced until hydration ends.
  await page.addInitScript(() => {
    (window as any).__removedRows = 0;
    new MutationObserver((records) => {
      if (document.documentElement.dataset.hydrated === "true") return;
      for (const r of records) {
        r.removedNodes.forEach((n) => {
          if (n instanceof Element && (n.matches("[role=row], [role=grid]") || n.querySelector("[role=row]"))) {
            (window as any).__removedRows++;
          }
        });
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await open(page, "/?date=7d");
  await waitForRows(page);
  expect(await page.evaluate(() => (window as any).__removedRows)).toBe(0);
});
