import { describe, expect, it } from "vitest";
import { editorConfigIndent, indentUnitOf, indentWith, reindent } from "../../src/core/project/code-style.js";

describe(".editorconfig indentation for TypeScript files", () => {
  it("reads the sections that take .ts files, later ones winning, comments ignored", () => {
    const config = "root = true\n\n[*]\nindent_style = tab\n\n[*.{js,ts}] ; ours\nindent_style = space\nindent_size = 4\n\n[*.md]\nindent_size = 8\n";
    expect(editorConfigIndent(config)).toEqual({ style: "space", size: 4 });
    expect(editorConfigIndent("[*.ts]\nindent_style = tab\n")).toEqual({ style: "tab" });
    expect(editorConfigIndent("[*.py]\nindent_style = space\n")).toEqual({});
  });

  it("turns leading tabs into spaces when asked, and only leading ones", () => {
    expect(reindent("a\n\tb\n\t\tc\td\n", "[*]\nindent_style = space\nindent_size = 2\n")).toBe("a\n  b\n    c\td\n");
    expect(reindent("\tb\n", "[*]\nindent_style = tab\n")).toBe("\tb\n");
    expect(reindent("\tb\n", "[*]\nindent_style = space\n")).toBe("  b\n");
  });
});

describe("the indentation of a file", () => {
  it("is a tab, or the smallest run of spaces that starts a line; block comment lines aside", () => {
    expect(indentUnitOf("export default {\n\tasync fetch() {\n\t\treturn 1;\n\t},\n};\n")).toBe("\t");
    expect(indentUnitOf("/**\n * a comment\n */\nexport default {\n  async fetch() {\n    return 1;\n  },\n};\n")).toBe("  ");
    expect(indentUnitOf("export const a = 1;\n")).toBeUndefined();
    expect(indentWith("a\n\tb\n\t\tc\n", "    ")).toBe("a\n    b\n        c\n");
  });
});
