#!/usr/bin/env node
// Builds the web UI into web/dist when it is missing or stale: installs web/'s own dependencies when its lock
// changed, generates the API types and the model metadata from authentik's schema, type-checks and bundles.
// Run by the root package's prestart and postinstall (`--soft`: a failed build warns instead of failing the
// install, which also runs when a dependency is added); `--force` rebuilds, `--check` only reports staleness.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(web);
const args = new Set(process.argv.slice(2));

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'generated' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

function hashOf(files) {
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_global: '', npm_config_prefix: '' } });
  if (result.status !== 0) {
    console.error(`web build: ${command} ${commandArgs.join(' ')} failed`);
    process.exit(args.has('--soft') ? 0 : result.status ?? 1);
  }
}

const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];

// Dependencies: web/ has its own lock, installed into web/node_modules whenever that lock changes.
const lock = join(web, 'package-lock.json');
const installStamp = join(web, 'node_modules', '.installed-lock');
const lockHash = hashOf([lock, join(web, 'package.json')]);
const installed = existsSync(installStamp) && readFileSync(installStamp, 'utf8') === lockHash;

const inputs = [
  ...filesUnder(join(web, 'src')), ...filesUnder(join(web, 'public')),
  join(web, 'index.html'), join(web, 'vite.config.ts'), join(web, 'tsconfig.json'), lock,
  join(root, 'src/api/contract/schema.yml'), join(web, 'scripts/build.mjs'), join(web, 'scripts/models.mjs'),
];
const buildHash = hashOf(inputs);
const buildStamp = join(web, 'dist', '.build-hash');
const fresh = installed && existsSync(buildStamp) && readFileSync(buildStamp, 'utf8') === buildHash;

if (args.has('--check')) {
  console.log(fresh ? 'web UI is built and up to date' : 'web UI needs a build');
  process.exit(fresh ? 0 : 1);
}
if (fresh && !args.has('--force')) process.exit(0);

console.log('web build: building the UI (web/dist)');
if (!installed) {
  run(npm[0], [...npm[1], 'ci', '--include=dev', '--no-audit', '--no-fund', '--ignore-scripts'], web);
  writeFileSync(installStamp, lockHash);
}
if (existsSync(join(root, 'node_modules/openapi-typescript'))) run(process.execPath, ['scripts/gen-api-types.mjs'], root);
run(process.execPath, [join(web, 'scripts/models.mjs')], web);
if (existsSync(join(root, 'src/api/generated/schema.d.ts'))) {
  run(process.execPath, [join(web, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], web);
} else {
  console.warn('web build: API types not generated (root devDependencies missing); skipping the type check');
}
run(process.execPath, [join(web, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], web);
mkdirSync(join(web, 'dist'), { recursive: true });
writeFileSync(buildStamp, buildHash);
console.log('web build: done');
