import { describe, expect, it } from "vitest";
import { checkStatement, isReadOnlyStatement } from "./statement-check.js";

function refused(sql: string): string {
  const check = checkStatement(sql);
  if (check.ok) throw new Error(`expected ${sql} to be refused`);
  return check.reason;
}

describe("checkStatement", () => {
  it("accepts exactly one statement, with trailing semicolons and comments", () => {
    expect(checkStatement("SELECT 1;  -- done\n;")).toEqual({ ok: true, verb: "SELECT", parameterCount: 0 });
    expect(checkStatement("/* c */ insert into t values (?, ?)")).toMatchObject({ ok: true, verb: "INSERT" });
  });

  it("counts statements outside strings, quoted names and comments only", () => {
    expect(checkStatement("SELECT 'a;b', \"c;d\", [e;f], `g;h` -- ;\n")).toMatchObject({ ok: true });
    expect(checkStatement("SELECT 'it''s; fine'")).toMatchObject({ ok: true });
    expect(refused("SELECT 1; SELECT 2")).toMatch(/exactly one statement, got 2/);
    expect(refused("  ;  ")).toBe("no SQL statement");
    expect(refused("SELECT 'open")).toBe("unterminated string literal");
  });

  it("keeps a trigger body's semicolons inside its statement", () => {
    const trigger =
      "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (CASE WHEN 1 THEN 2 END); DELETE FROM c; END";
    expect(checkStatement(trigger)).toMatchObject({ ok: true, verb: "CREATE" });
    expect(refused(`${trigger}; SELECT 1`)).toMatch(/got 2/);
  });

  it("counts parameters the way SQLite numbers them", () => {
    expect(checkStatement("SELECT ?, ?, ?")).toMatchObject({ parameterCount: 3 });
    expect(checkStatement("SELECT ?3, ?1")).toMatchObject({ parameterCount: 3 });
    expect(checkStatement("SELECT ?2, ?")).toMatchObject({ parameterCount: 3 });
    expect(checkStatement("SELECT '?'")).toMatchObject({ parameterCount: 0 });
    expect(refused("SELECT :name")).toMatch(/named parameter :name/);
    expect(refused("SELECT ?0")).toMatch(/out of range/);
  });

  it("refuses ATTACH, DETACH, load_extension, VACUUM INTO and transaction control", () => {
    expect(refused("ATTACH DATABASE '/etc/x' AS x")).toMatch(/ATTACH is not allowed/);
    expect(refused("detach x")).toMatch(/DETACH is not allowed/);
    expect(refused("SELECT load_extension('/tmp/evil.so')")).toMatch(/load_extension/);
    expect(refused("VACUUM INTO '/tmp/copy.db'")).toMatch(/VACUUM INTO/);
    expect(checkStatement("VACUUM")).toMatchObject({ ok: true });
    for (const verb of ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s", "RELEASE s", "END"]) {
      expect(refused(verb)).toMatch(/use batch/);
    }
  });

  it("allows reading schema PRAGMAs and refuses the ones that change durability or the schema", () => {
    expect(checkStatement("PRAGMA table_info(t)")).toMatchObject({ ok: true });
    expect(checkStatement("PRAGMA main.user_version = 3")).toMatchObject({ ok: true });
    expect(refused("PRAGMA journal_mode = DELETE")).toMatch(/journal_mode is not allowed/);
    expect(refused("PRAGMA synchronous=OFF")).toMatch(/synchronous is not allowed/);
    expect(refused("PRAGMA writable_schema = 1")).toMatch(/writable_schema/);
    expect(refused("PRAGMA max_page_count = 99999999")).toMatch(/max_page_count/);
    expect(refused("PRAGMA page_size = 512")).toMatch(/may be read but not set/);
    expect(refused("PRAGMA axon_log.table_info(x)")).toMatch(/schema other than main/);
  });

  it("keeps the event mirror out of reach and axon_events unchangeable", () => {
    expect(checkStatement("SELECT * FROM axon_events WHERE sequence > ?")).toMatchObject({ ok: true });
    expect(refused('DELETE FROM "axon_log_events"')).toMatch(/internal/);
    expect(refused("SELECT * FROM axon_log.axon_log_events")).toMatch(/internal/);
    expect(refused("DROP VIEW axon_events")).toMatch(/read-only/);
    expect(refused("CREATE TEMP TABLE x(a)")).toMatch(/TEMP/);
  });

  it("tells read-only statements (for read-scoped keys) from the rest", () => {
    expect(isReadOnlyStatement("SELECT * FROM axon_events")).toBe(true);
    expect(isReadOnlyStatement("VALUES (1)")).toBe(true);
    expect(isReadOnlyStatement("WITH x AS (SELECT 1) SELECT * FROM x")).toBe(true);
    expect(isReadOnlyStatement("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x")).toBe(false);
    expect(isReadOnlyStatement("INSERT INTO t VALUES (1)")).toBe(false);
    expect(isReadOnlyStatement("PRAGMA user_version")).toBe(false);
    expect(isReadOnlyStatement("SELECT 1; DELETE FROM t")).toBe(false);
  });
});
