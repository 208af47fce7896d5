// The server as one bundled module (dist/ak.mjs), rebuilt whenever a TypeScript source is newer. Loading
// ~400 modules through tsx costs a start ~1.5 s (each compiled or looked up in its cache through the loader
// hooks' worker); esbuild bundles them in well under a second, once, and a start then loads one file.
// Dependencies stay external, as installed. Run directly (`node scripts/bundle.mjs`) it builds if needed.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, 'dist', 'ak.mjs');

/** The newest modification time of the TypeScript under `dir` (other files are read at run time from src/). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundledAt() {
  try {
    return statSync(BUNDLE).mtimeMs;
  } catch {
    return -1;
  }
}

/** The bundle's path, built first if a source changed since; undefined when it cannot be built here. */
export async function ensureBundle() {
  if (bundledAt() >= newestSource(join(ROOT, 'src'))) return BUNDLE;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  mkdirSync(dirname(BUNDLE), { recursive: true });
  // Written aside and renamed: a process starting meanwhile never loads half a file.
  const scratch = `${BUNDLE}.${process.pid}.tmp`;
  try {
    await esbuild.build({
      entryPoints: [join(ROOT, 'src', 'main.ts')],
      outfile: scratch,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    renameSync(scratch, BUNDLE);
  } catch (err) {
    rmSync(scratch, { force: true });
    throw err;
  }
  return BUNDLE;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await ensureBundle();
