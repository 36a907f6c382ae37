/** Opening the project's code with the engine its TypeScript line needs (see typescript.ts). */
import { join } from "node:path";
import type { WranglerConfig } from "../../core/config/read.js";
import { refuseNonRegular } from "../project-files.js";
import { type CodeProject, projectTypeScript } from "./typescript.js";

/**
 * Opens the project with the engine its TypeScript needs. `before` describes the names the code
 * uses now; `typesFile` is the generated types, possibly under a temporary name.
 */
export async function openCode(projectDir: string, before: WranglerConfig, typesFile: string | undefined): Promise<CodeProject> {
  refuseOddCodeFiles(projectDir, before);
  const ts = projectTypeScript(projectDir);
  if (ts.major >= 7) {
    const { openLanguageServer } = await import("./lsp.js");
    return openLanguageServer(projectDir, ts, before, typesFile);
  }
  const { openLanguageService } = await import("./classic.js");
  return openLanguageService(projectDir, ts, before, typesFile);
}

/** Both engines pass by a file they cannot read as if it were missing (a FIFO): refused here, saying what is there. */
export function refuseOddCodeFiles(projectDir: string, config: WranglerConfig): void {
  for (const file of ["tsconfig.json", config.main ?? "src/index.ts"]) refuseNonRegular(join(projectDir, file));
}
