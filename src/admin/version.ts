import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { PROJECT_ROOT, projectVersion } from '../lib/project.js';

export interface Version {
  version_current: string;
  version_latest: string;
  build_hash: string;
  outdated: boolean;
}

const ROOT = PROJECT_ROOT;

/** The running version: package.json's, which follows authentik's release numbering. */
export const currentVersion = projectVersion;

/** The commit of a source checkout, read from `.git` without running git; '' when there is none. */
export function gitCommit(root = ROOT): string {
  try {
    let gitDir = join(root, '.git');
    if (!existsSync(gitDir)) return '';
    // A worktree or submodule has a `.git` file naming the real folder.
    if (statSync(gitDir).isFile()) gitDir = resolve(root, readFileSync(gitDir, 'utf8').replace(/^gitdir:\s*/, '').trim());
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const commonDir = existsSync(join(gitDir, 'commondir')) ? join(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim()) : gitDir;
    for (const dir of [gitDir, commonDir]) {
      if (existsSync(join(dir, ref))) return readFileSync(join(dir, ref), 'utf8').trim();
    }
    const packed = join(commonDir, 'packed-refs');
    if (!existsSync(packed)) return '';
    const line = readFileSync(packed, 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.split(' ')[0] : '';
  } catch {
    return '';
  }
}

let checkoutCommit: string | undefined;

/**
 * authentik's `get_build_hash`: set by the build (`AUTHENTIK_BUILD_HASH`, read by the config loader as
 * `build_hash`), else the commit of a source checkout.
 */
export function buildHash(config: Config): string {
  if (config.build_hash) return config.build_hash;
  checkoutCommit ??= gitCommit();
  return checkoutCommit;
}

/**
 * Update checks are off (this server makes no outbound calls of its own), so the latest version known is the
 * running one and the server is never reported outdated.
 */
export function versionInfo(config: Config): Version {
  const current = currentVersion();
  return { version_current: current, version_latest: current, build_hash: buildHash(config), outdated: false };
}
