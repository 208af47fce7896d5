#!/usr/bin/env node
// Reads authentik's OpenAPI schema and writes what the admin console needs to list, show, create and edit
// every model generically (src/generated/models.json): collections with their filters, lookup, request and
// response schemas, detail actions, and the component schemas those reference.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const schema = parse(readFileSync(join(web, '../src/api/contract/schema.yml'), 'utf8'));
const paths = schema.paths;
const refName = (ref) => ref?.split('/').pop();
const jsonSchemaOf = (body) => body?.content?.['application/json']?.schema ?? body?.content?.['multipart/form-data']?.schema;

const needed = new Set();
const collections = [];
const PAGING = new Set(['page', 'page_size', 'ordering', 'search']);

for (const [path, item] of Object.entries(paths)) {
  const list = item.get;
  if (!list || path.includes('{') || !path.endsWith('/')) continue;
  const listRef = refName(jsonSchemaOf(list.responses?.['200'])?.$ref);
  if (!listRef?.startsWith('Paginated')) continue;
  const itemSchema = refName(schema.components.schemas[listRef].properties.results.items.$ref);
  const detailPath = Object.keys(paths).find((p) => p.startsWith(path) && /^\{[^}]+\}\/$/.test(p.slice(path.length)));
  const detail = detailPath ? paths[detailPath] : undefined;
  const lookup = detailPath?.slice(path.length).match(/^\{([^}]+)\}/)?.[1];
  const create = refName(jsonSchemaOf(item.post?.requestBody)?.$ref);
  const update = refName(jsonSchemaOf(detail?.put?.requestBody)?.$ref);
  const actions = detailPath ? Object.entries(paths)
    .filter(([p]) => p.startsWith(detailPath) && p !== detailPath && !p.slice(detailPath.length).includes('{'))
    .flatMap(([p, ops]) => Object.entries(ops).filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(([method, op]) => ({
      name: p.slice(detailPath.length).replace(/\/$/, ''), method,
      request: refName(jsonSchemaOf(op.requestBody)?.$ref) ?? null,
      description: op.description ?? '',
    }))) : [];
  for (const name of [itemSchema, create, update, ...actions.map((a) => a.request)]) if (name) needed.add(name);
  collections.push({
    path, tag: list.tags?.[0] ?? '', schema: itemSchema, description: list.description ?? '',
    lookup: lookup ?? null,
    search: list.parameters?.some((p) => p.name === 'search') ?? false,
    ordering: list.parameters?.some((p) => p.name === 'ordering') ?? false,
    filters: (list.parameters ?? []).filter((p) => p.in === 'query' && !PAGING.has(p.name)).map((p) => ({
      name: p.name, type: p.schema?.type ?? 'string', enum: p.schema?.enum ?? p.schema?.items?.enum ?? null, description: p.description ?? '',
    })),
    create: create ?? null, update: update ?? null,
    retrieve: Boolean(detail?.get), destroy: Boolean(detail?.delete),
    usedBy: actions.some((a) => a.name === 'used_by'),
    actions: actions.filter((a) => a.name !== 'used_by'),
  });
}

// Every schema reachable from the ones the admin renders.
const schemas = {};
function collect(name) {
  if (!name || schemas[name]) return;
  const definition = schema.components.schemas[name];
  if (!definition) return;
  schemas[name] = definition;
  JSON.stringify(definition, (key, value) => {
    if (key === '$ref' && typeof value === 'string') collect(refName(value));
    return value;
  });
}
// Request bodies of endpoints the admin drives by hand (the application wizard).
for (const name of ['TransactionApplicationRequest']) needed.add(name);
for (const name of needed) collect(name);

const out = join(web, 'src/generated');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'models.json'), JSON.stringify({ version: schema.info?.version ?? '', collections, schemas }));
writeFileSync(join(out, '.gitignore'), '*\n');
console.log(`web build: ${collections.length} collections, ${Object.keys(schemas).length} schemas from the API schema`);
