#!/usr/bin/env node
// Runs the server bundled from the TypeScript sources (scripts/bundle.mjs rebuilds it when a source changed), so
// `npm start` needs no build step; AUTHENTIK_TS_RUN_SOURCES=true runs the sources through tsx instead.
import { pathToFileURL } from 'node:url';
import { ensureBundle } from '../scripts/bundle.mjs';

const bundle = process.env.AUTHENTIK_TS_RUN_SOURCES === 'true' ? undefined : await ensureBundle();
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
