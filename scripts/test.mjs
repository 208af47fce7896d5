#!/usr/bin/env node
// The test command: generates the API types, builds the template database once, then runs every test file
// (each in its own process, each with its own database cloned from the template).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Every process of this run shares one id: its template database and data folders are its own.
process.env.AUTHENTIK_TEST_RUN ??= `run${process.pid}`;

function run(command, args, { exitOnFailure = true } = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0 && exitOnFailure) process.exit(result.status ?? 1);
  return result.status ?? 1;
}

function testFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
run(process.execPath, ['scripts/gen-api-types.mjs']);
// Type-checking is part of the suite: the openapi-fetch contract tests fail here when a shape drifts.
if (!process.env.SKIP_TYPECHECK) run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']);
run(process.execPath, ['--import', 'tsx', 'test/support/template.ts']);
const files = [...testFiles('src'), ...testFiles('test')].filter((f) => !filter.length || filter.some((x) => f.includes(x))).sort();
console.log(`running ${files.length} test files against ${process.env.AUTHENTIK_POSTGRESQL__HOST ? `PostgreSQL at ${process.env.AUTHENTIK_POSTGRESQL__HOST}` : 'embedded PGlite'}`);
const status = run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { exitOnFailure: false });
run(process.execPath, ['--import', 'tsx', 'test/support/template.ts', 'drop'], { exitOnFailure: false });
process.exit(status);
