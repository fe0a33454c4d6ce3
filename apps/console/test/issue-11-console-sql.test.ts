import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

describe("console: an axon's SQL tab (issues 11 and 12, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({ sql: true });
  });
  afterAll(async () => h?.close());

  it("runs statements typed into the SQL tab and shows the result as a table, and SQLite's errors", async () => {
    const axon = await h.client.axons.create({ name: "sql-tab" });
    await h.client.axon(axon.id).publish({ eventType: "build.step", payload: { n: 1 }, origin: "external" });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.getByText("● live").waitFor();
    await page.getByRole("link", { name: "SQL" }).click();
    expect(new URL(page.url()).pathname).toBe(`/axons/${axon.id}/sql`);

    // The first query reads the log as a table.
    await page.getByRole("button", { name: "Run" }).click();
    const table = page.getByTestId("sql-result");
    await table.locator("td", { hasText: "build.step" }).waitFor();
    expect(await table.locator("th").allTextContents()).toEqual([
      "sequence",
      "event_type",
      "origin",
      "source",
    ]);
    expect(await table.locator("tbody td").allTextContents()).toEqual([
      "1",
      "build.step",
      "ORIGIN_EXTERNAL_EVENT",
      "test",
    ]);

    const statement = page.getByLabel("SQL statement");
    const run = async (sql: string) => {
      await statement.fill(sql);
      await page.getByRole("button", { name: "Run" }).click();
    };
    await run("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, big INTEGER, raw BLOB)");
    await page.getByTestId("sql-meta").getByText("0 rows").waitFor();
    await run(
      "INSERT INTO tasks (title, big, raw) VALUES ('ship it', 9223372036854775807, x'00ff'), (NULL, 1, NULL)",
    );
    await page.getByTestId("sql-meta").getByText("2 changed").waitFor();
    // Ctrl+Enter runs too.
    await statement.fill("SELECT id, title, big, raw FROM tasks ORDER BY id");
    await statement.press("Control+Enter");
    await table.locator("td", { hasText: "ship it" }).waitFor();
    // Integers are exact to 64 bits, NULL is marked, blobs are shown as hex.
    expect(await table.locator("tbody tr").first().locator("td").allTextContents()).toEqual([
      "1",
      "ship it",
      "9223372036854775807",
      "x'00ff' (2 bytes)",
    ]);
    expect(await table.locator("tbody tr").nth(1).locator("td").nth(1).textContent()).toBe("NULL");
    await h.screenshot(page, "sql", { docs: "sql" });

    // A mistake shows SQLite's code and message; the log's table is read-only.
    await run("SELEC 1");
    await page
      .getByRole("alert")
      .getByText(/SQLITE_ERROR: .*syntax error/)
      .waitFor();
    await run("DELETE FROM axon_events");
    await page
      .getByRole("alert")
      .getByText(/axon_events/)
      .waitFor();
    expect((await h.client.axon(axon.id).events()).events).toHaveLength(1);
    // The 400s of the failed statements are expected in the browser's log; nothing else is.
    expect(page.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });
});
