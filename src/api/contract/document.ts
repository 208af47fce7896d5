import { readFileSync, writeFileSync, mkdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectPath } from '../../lib/project.js';

export const SCHEMA_YAML_PATH = projectPath('src/api/contract/schema.yml');

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

export interface OpenApiOperation {
  operationId: string;
  tags?: string[];
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}

let cached: OpenApiDocument | undefined;

/**
 * authentik's schema, parsed once. Parsing 1.2 MB of YAML takes most of a second, so the parsed form is kept
 * as JSON beside the installed packages and reused while the YAML is unchanged.
 */
export function loadSchemaDocument(): OpenApiDocument {
  if (cached) return cached;
  const cacheDir = projectPath('node_modules', '.cache', 'authentik-ts');
  const cacheFile = join(cacheDir, 'schema.json');
  const yamlMtime = statSync(SCHEMA_YAML_PATH).mtimeMs;
  if (existsSync(cacheFile) && statSync(cacheFile).mtimeMs >= yamlMtime) {
    cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as OpenApiDocument;
    return cached;
  }
  cached = parseYaml(readFileSync(SCHEMA_YAML_PATH, 'utf8'), { maxAliasCount: -1 }) as OpenApiDocument;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(cached));
  } catch {
    // A read-only install still works, just slower on the first use.
  }
  return cached;
}
