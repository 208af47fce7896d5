#!/usr/bin/env node
// Generates TypeScript types for every path of authentik's schema (src/api/generated/schema.d.ts), so that
// the openapi-fetch contract tests stop compiling when a request or response shape drifts from it.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const source = 'src/api/contract/schema.yml';
const target = 'src/api/generated/schema.d.ts';
if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) process.exit(0);
mkdirSync('src/api/generated', { recursive: true });
const result = spawnSync(process.execPath, ['node_modules/openapi-typescript/bin/cli.js', source, '-o', target], { stdio: ['ignore', 'ignore', 'inherit'] });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync('src/api/generated/.gitignore', '*\n');
