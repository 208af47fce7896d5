import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { readMetadata, type BlueprintMetadata } from './loader.js';

/** A blueprint file under the blueprints folder, as `available/` lists it. */
export interface BlueprintFile {
  /** Relative to the blueprints folder, with `/` separators. */
  path: string;
  version: number;
  /** SHA-512 of the file's bytes, hex: compared with an instance's `last_applied_hash`. */
  hash: string;
  lastModified: Date;
  meta?: BlueprintMetadata;
}

export function blueprintsRoot(config: Config): string {
  return resolve(config.blueprints_dir);
}

export function contentHash(content: string | Buffer): string {
  return createHash('sha512').update(content).digest('hex');
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    // Hidden files and folders (`.git`, editors' swap files) are never blueprints.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else if (entry.isFile() && entry.name.endsWith('.yaml')) found.push(path);
  }
  return found;
}

/** A `*.yaml` file under the blueprints folder, read and hashed but not parsed. */
export interface ScannedFile {
  path: string;
  hash: string;
  lastModified: Date;
  text: string;
}

/** Every `*.yaml` file under the folder with its hash: what discovery compares before parsing anything. */
export async function scanBlueprintFiles(config: Config): Promise<ScannedFile[]> {
  const root = blueprintsRoot(config);
  const scanned: ScannedFile[] = [];
  for (const path of await walk(root)) {
    const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
    scanned.push({ path: relative(root, path).split(sep).join('/'), hash: contentHash(bytes), lastModified: info.mtime, text: bytes.toString('utf8') });
  }
  return scanned;
}

type Header = ReturnType<typeof readMetadata>;
/** Parsed headers by content hash: a file is parsed once per process however often the folder is listed. */
const headers = new Map<string, Header | Error>();

/** A scanned file as a blueprint (version 1 with its metadata), or undefined (logged) when it is none. */
export function blueprintFileOf(file: ScannedFile, log?: Logger): BlueprintFile | undefined {
  let header = headers.get(file.hash);
  if (header === undefined && !headers.has(file.hash)) {
    try {
      header = readMetadata(file.text);
    } catch (err) {
      header = err as Error;
    }
    headers.set(file.hash, header);
  }
  if (header instanceof Error) {
    log?.warn({ path: file.path, error: header.message }, 'failed to parse blueprint');
    return undefined;
  }
  if (!header) return undefined;
  if (header.version !== 1) {
    log?.warn({ path: file.path, version: header.version }, 'invalid blueprint version');
    return undefined;
  }
  return { path: file.path, version: 1, hash: file.hash, lastModified: file.lastModified, meta: header.metadata };
}

/** Every valid `*.yaml` blueprint under the folder; files that do not parse are logged and left out. */
export async function findBlueprintFiles(config: Config, log?: Logger): Promise<BlueprintFile[]> {
  const files: BlueprintFile[] = [];
  for (const scanned of await scanBlueprintFiles(config)) {
    const file = blueprintFileOf(scanned, log);
    if (file) files.push(file);
  }
  return files;
}

/** Reads a blueprint by path: relative to the blueprints folder, or absolute (the CLI). */
export async function readBlueprintFile(config: Config, path: string): Promise<string> {
  const full = isAbsolute(path) ? path : join(blueprintsRoot(config), path);
  return readFile(full, 'utf8');
}
