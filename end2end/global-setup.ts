// cargo-leptos starts the server and runs the tests at once; on a first start the server
// creates and seeds the demo database, so wait until it answers.
export default async function globalSetup() {
  const url = process.env.SIGNBOOK_E2E_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 180_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url + "/");
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server at ${url} did not answer within 180 s (${last})`);
}
