/**
 * What Windows changes, as pure functions given the platform, so it is checked on every machine:
 * printed commands quoted for PowerShell, names Windows cannot hold, paths it refuses.
 */
import { describe, expect, it } from "vitest";
import { finishCommand, kvSettings } from "../../src/core/kv/flags.js";
import { windowsNameProblem } from "../../src/core/project/names.js";
import { cdCommand, quoteArg, selfCommand, shellFor } from "../../src/core/project/shell.js";
import { envInterface } from "../../src/effects/code/typescript.js";
import { directoryProblem } from "../../src/effects/files.js";
import { tempDir } from "../helpers/tmp.js";

describe("printed commands on Windows are PowerShell's", () => {
  it("picks the shell from the platform", () => {
    expect(shellFor("win32")).toBe("powershell");
    expect(shellFor("linux")).toBe("posix");
    expect(shellFor("darwin")).toBe("posix");
  });

  it.each([
    ["app", "app"],
    ["C:\\Users\\ana\\my-app", "C:\\Users\\ana\\my-app"],
    ["my app", "'my app'"],
    // $ and ` expand in PowerShell's double quotes, not in its single quotes; ' is doubled there.
    ["$env:USERPROFILE", "'$env:USERPROFILE'"],
    ["it's", "'it''s'"],
    ["a`b", "'a`b'"],
    // @ at the start of a word is splatting in PowerShell, bare-safe in POSIX.
    ["@scope", "'@scope'"],
    ["", "''"],
  ])("quotes %j as %s", (value, quoted) => {
    expect(quoteArg(value, "powershell")).toBe(quoted);
  });

  it("keeps POSIX quoting where it was", () => {
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg("@scope")).toBe("@scope");
    expect(quoteArg("C:\\Users")).toBe("'C:\\Users'");
  });

  it("cd, the runner and the finish command take the shell's quoting throughout", () => {
    expect(cdCommand("-odd name", "powershell")).toBe("cd './-odd name'");
    const self = selfCommand("npx", "C:\\src\\create do-kv\\bin\\create-do-kv.cjs", "powershell");
    expect(self).toBe("node 'C:\\src\\create do-kv\\bin\\create-do-kv.cjs'");
    expect(
      finishCommand(kvSettings({ wrangler: "/opt/my tools/wrangler" }), {
        self,
        prefix: `${cdCommand("app", "powershell")} && `,
        shell: "powershell",
      }),
    ).toBe("cd app && node 'C:\\src\\create do-kv\\bin\\create-do-kv.cjs' sync --wrangler '/opt/my tools/wrangler'");
  });
});

describe("names Windows cannot hold", () => {
  it.each(["con", "CON", "nul", "Aux", "prn.txt", "com1", "lpt9.ts", "com¹", "app.", "app "])("%j is refused, saying why", (name) => {
    expect(windowsNameProblem(name)).toMatch(/device name|ends with a (dot|space)/);
  });
  it.each(["console", "conference", "com10", "lpt", "app.v2", ".app", "null", "auxiliary"])("%j is fine", (name) => {
    expect(windowsNameProblem(name)).toBeUndefined();
  });

  it("a new project's folder with such a name is refused on every platform (it could not be cloned on Windows)", () => {
    const parent = tempDir("cdk-win-");
    for (const platform of ["linux", "win32"] as const) {
      expect(directoryProblem(`${parent}/con`, false, platform)).toContain("device name CON");
      expect(directoryProblem(`${parent}/app.`, false, platform)).toContain("ends with a dot");
      expect(directoryProblem(`${parent}/app`, false, platform)).toBeUndefined();
    }
  });

  it("characters Windows refuses in a path are refused there, with the path named", () => {
    const parent = tempDir("cdk-win-");
    expect(directoryProblem(`${parent}/a|b`, false, "win32")).toContain("does not allow in names");
    expect(directoryProblem(`${parent}/a|b`, false, "linux")).toBeUndefined();
  });
});

describe("a config's main with Windows separators", () => {
  const config = { main: "src\\worker\\index.ts", durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] } };
  it("is imported with / on Windows, as wrangler types writes it", () => {
    expect(envInterface(config, "win32")).toContain('DurableObjectNamespace<import("./src/worker/index").Room>');
  });
  it("stays as written elsewhere, where \\ is part of a name", () => {
    expect(envInterface(config, "linux")).toContain('import("./src\\worker\\index")');
  });
});
