import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder (the one with package.json). Files that ship beside the code (migrations, templates, the
 * API schema, the sandbox's scripts, the UI) are found from here, not from a module's own location: the same
 * module runs from `src/` through tsx and from the bundle under `dist/`.
 */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project's folder. */
export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}

let version: string | undefined;

/** The running version: package.json's, which follows authentik's release numbering. */
export function projectVersion(): string {
  version ??= (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
