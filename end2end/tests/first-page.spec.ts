import { expect, test } from "@playwright/test";

test("the first page lists demo sign-ins and hydrates", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");

  await expect(page.getByRole("heading", { name: "Sign-in logs" })).toBeVisible();
  const table = page.getByRole("table", { name: "Sign-ins" });
  await expect(table).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Request ID" })).toBeVisible();
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(50);
  // Demo rows: a status and a Contoso application in every row.
  await expect(rows.first().getByText(/^(Success|Failure|Interrupted)$/)).toBeVisible();
  const firstDate = await rows.nth(0).locator("td").first().innerText();
  const lastDate = await rows.nth(49).locator("td").first().innerText();
  expect(firstDate >= lastDate, "newest first").toBeTruthy();

  await page.screenshot({ path: "screenshots/first-page.png", fullPage: false });
  expect(errors, "no console errors").toEqual([]);
});
