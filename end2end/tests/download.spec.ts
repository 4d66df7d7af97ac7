import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { expectAccessible, open, setPreview, shot, waitForRows, watchErrors } from "./helpers";

// The zip's file names and first lines, read with Python's zipfile (no zip module in Node).
function zipContents(path: string): Record<string, string> {
  const script = [
    "import json, sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "print(json.dumps({n: z.read(n).decode('utf-8')[:2000] for n in z.namelist()}))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf-8" }));
}

test.describe.configure({ mode: "serial" });

for (const format of ["CSV", "JSON"] as const) {
  test(`the blade downloads a ${format} bundle of the current filter, with progress`, async ({ page }) => {
    const errors = watchErrors(page);
    await open(page, "/?date=7d");
    await setPreview(page, true);
    await waitForRows(page);
    await page.getByRole("button", { name: "Download" }).click();
    const dialog = page.getByRole("dialog", { name: "Download" });
    await expect(dialog).toBeVisible();
    // The plan: how many sign-ins of each report the bundle will hold.
    await expect(dialog.locator(".download-plan")).toContainText(/[\d,]+ sign-ins: [\d,]+ interactive, [\d,]+ non-interactive, [\d,]+ service principal, [\d,]+ managed identity\./);
    await dialog.getByLabel(format === "CSV" ? /^CSV/ : /^JSON/).check();
    if (format === "CSV") {
      await expectAccessible(page, "the download dialog");
      await shot(page, "download-dialog");
    }
    const saved = page.waitForEvent("download");
    await dialog.getByRole("link", { name: "Download" }).click();
    const download = await saved;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^SignIns_\\d{4}-\\d{2}-\\d{2}_\\d{4}-\\d{2}-\\d{2}_${format.toLowerCase()}\\.zip$`));
    const path = await download.path();
    expect(path).toBeTruthy();
    // Progress ends with the count written.
    await expect(dialog.getByRole("status")).toContainText(/Done: [\d,]+ sign-ins in the bundle\./, { timeout: 30_000 });
    if (format === "CSV") {
      await shot(page, "download-done");
    }
    const files = zipContents(path!);
    const names = Object.keys(files).map((n) => n.replace(/_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}/, ""));
    if (format === "CSV") {
      expect(names.sort()).toEqual([
        "ApplicationSignIns.csv",
        "InteractiveSignIns.csv",
        "InteractiveSignIns_AuthDetails.csv",
        "MSISignIns.csv",
        "NonInteractiveSignIns.csv",
        "NonInteractiveSignIns_AuthDetails.csv",
      ]);
      const interactive = Object.entries(files).find(([n]) => n.startsWith("InteractiveSignIns_2"))![1];
      expect(interactive.split("\n")[0]).toContain("Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username");
      expect(interactive.split("\n").length).toBeGreaterThan(2);
    } else {
      expect(names.sort()).toEqual([
        "ApplicationSignIns.json",
        "InteractiveSignIns.json",
        "MSISignIns.json",
        "NonInteractiveSignIns.json",
      ]);
      const interactive = Object.entries(files).find(([n]) => n.startsWith("InteractiveSignIns_"))![1];
      expect(interactive.startsWith("[\n{")).toBeTruthy();
    }
    expect(errors).toEqual([]);
  });
}
