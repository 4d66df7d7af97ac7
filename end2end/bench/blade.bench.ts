import { expect, test, type Page } from "@playwright/test";

// Rerunnable figures for docs/BENCHMARKS.md (scripts/bench-blade.sh). Times are measured in
// the page (performance.now) up to the next animation frame after the rows are in the DOM.
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function report(name: string, xs: number[], unit = "ms") {
  const line = `BENCH ${name}: median ${median(xs).toFixed(0)} ${unit} (runs: ${xs.map((x) => x.toFixed(0)).join(", ")})`;
  console.log(line);
}

/** Resolves when the grid shows rows (none loading) for a report named `title`. */
async function timeUntilRows(page: Page, title: string, action: () => Promise<void>): Promise<number> {
  await page.evaluate((title) => {
    (window as any).__benchDone = new Promise<number>((resolve) => {
      const t0 = performance.now();
      (window as any).__benchStart = t0;
      const check = () => {
        const grid = document.querySelector("[role=grid]");
        const first = grid?.querySelector(".body [role=row]");
        const label = grid?.getAttribute("aria-label") ?? "";
        if (grid && label.includes(title) && label !== (window as any).__benchStale && first && !first.querySelector(".shimmer")) {
          requestAnimationFrame(() => resolve(performance.now() - t0));
        } else {
          requestAnimationFrame(check);
        }
      };
      requestAnimationFrame(check);
    });
  }, title);
  await action();
  return await page.evaluate(() => (window as any).__benchDone);
}

test("navigation to a hydrated table full of rows", async ({ page }) => {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto("about:blank");
    await page.goto("/?date=7d", { waitUntil: "commit" });
    // performance.now() counts from the navigation's start.
    const handle = await page.waitForFunction(
      () =>
        document.documentElement.dataset.hydrated === "true" &&
        document.querySelector(".body [role=row]") &&
        !document.querySelector(".body .shimmer")
          ? performance.now()
          : false,
      null,
      { polling: "raf", timeout: 60_000 },
    );
    times.push((await handle.jsonValue()) as number);
  }
  report("navigation → hydrated table with rows (last 7 days, interactive)", times);
});

test("changing tab and applying a filter", async ({ page }) => {
  await page.goto("/?date=7d");
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 60_000 });
  const bar = page.getByRole("button", { name: /Preview/ });
  if ((await bar.getAttribute("aria-pressed")) !== "true") await bar.click();
  const tabs = ["User sign-ins (non-interactive)", "User sign-ins (interactive)"];
  const tabTimes: number[] = [];
  for (let i = 0; i < RUNS * 2; i++) {
    const title = tabs[i % 2];
    // Mark the current grid stale so only the new one counts.
    await page.evaluate(() => ((window as any).__benchStale = document.querySelector("[role=grid]")?.getAttribute("aria-label")));
    tabTimes.push(await timeUntilRows(page, title, () => page.getByRole("tab", { name: title }).click()));
  }
  report("change tab → new rows painted", tabTimes);

  const filterTimes: number[] = [];
  const statuses = ["Failure", "Success"];
  for (let i = 0; i < RUNS; i++) {
    const status = statuses[i % 2];
    await page.getByRole("button", { name: "Add filters" }).click();
    const item = page.getByRole("menu", { name: "Add filters" }).getByRole("menuitem", { name: "Status" });
    if (await item.count()) {
      await item.click();
    } else {
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: /Edit filter: Status/ }).click();
    }
    const editor = page.getByRole("dialog", { name: "Status filter" });
    for (const s of ["Success", "Failure", "Interrupted"]) await editor.getByRole("checkbox", { name: s }).setChecked(s === status);
    await page.evaluate(() => ((window as any).__benchStale = document.querySelector("[role=grid]")?.getAttribute("aria-label")));
    filterTimes.push(await timeUntilRows(page, "User sign-ins (interactive)", () => editor.getByRole("button", { name: "Apply" }).click()));
  }
  report("apply a filter → new rows painted", filterTimes);
});

test("scrolling through 100,000 rows", async ({ page }) => {
  await page.goto("/?date=1m");
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 60_000 });
  await expect(page.locator(".body [role=row]").first()).toBeVisible();
  const total = Number((await page.locator(".count").first().innerText()).replace(/[^0-9]/g, ""));
  console.log(`BENCH rows in the result: ${total}`);
  const result = await page.evaluate(async (target) => {
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    observer.observe({ type: "longtask", buffered: false } as PerformanceObserverInit);
    const grid = document.querySelector("[role=grid]") as HTMLElement;
    const rowH = 32;
    let maxRows = 0;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const t0 = performance.now();
    // Scroll like a fast wheel/drag: 2,000 steps of 50 rows, waiting for each step's rows.
    const steps = 2000;
    const per = Math.ceil(target / steps);
    for (let i = 1; i <= steps; i++) {
      grid.scrollTop = i * per * rowH;
      await frame();
      maxRows = Math.max(maxRows, grid.querySelectorAll(".body [role=row]").length);
      let waited = 0;
      while (grid.querySelector(".body .shimmer") && waited < 400) {
        await frame();
        waited++;
      }
    }
    observer.disconnect();
    return { maxRows, longTasks, seconds: (performance.now() - t0) / 1000, reached: Math.floor(grid.scrollTop / rowH) };
  }, Math.min(total, 100_000));
  console.log(`BENCH scrolled to row ${result.reached} in ${result.seconds.toFixed(1)} s`);
  console.log(`BENCH most row elements in the DOM while scrolling: ${result.maxRows}`);
  const over = result.longTasks.filter((d) => d > 50);
  console.log(`BENCH long tasks > 50 ms while scrolling: ${over.length} (longest ${Math.max(0, ...result.longTasks).toFixed(0)} ms)`);
});
