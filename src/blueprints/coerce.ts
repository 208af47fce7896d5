import { loadSchemaDocument } from '../api/contract/document.js';
import type { Json } from '../api/model.js';

/**
 * DRF's fields convert loosely typed input (`CharField` takes `123`, `IntegerField` takes `"10"`,
 * `BooleanField` takes `"true"`), and YAML writers rely on it: `order: "10"`, `name: 2023`. The API checks JSON
 * strictly; for blueprint entries the top-level scalars are converted first, as DRF would, to the type the
 * request schema names.
 */
type Schema = Record<string, unknown>;

const TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'on', 'On', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', 'No', 'off', 'Off', '0']);

function resolveType(schema: Schema | undefined, depth = 0): string | undefined {
  if (!schema || depth > 5) return undefined;
  if (typeof schema.type === 'string') return schema.type;
  const ref = schema.$ref;
  if (typeof ref === 'string') return resolveType(loadSchemaDocument().components.schemas[ref.split('/').pop()!], depth + 1);
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const parts = schema[key];
    if (Array.isArray(parts)) {
      for (const part of parts) {
        const type = resolveType(part as Schema, depth + 1);
        if (type) return type;
      }
    }
  }
  return undefined;
}

function convert(value: unknown, type: string | undefined): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'number' ? String(value) : value;
    case 'integer':
      return typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    case 'number':
      return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    case 'boolean':
      if (typeof value === 'string') return TRUE.has(value) ? true : FALSE.has(value) ? false : value;
      if (value === 1 || value === 0) return value === 1;
      return value;
    default:
      return value;
  }
}

export function coerceToSchema(schemaName: string, data: Json): Json {
  const schema = loadSchemaDocument().components.schemas[schemaName];
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const out: Json = { ...data };
  for (const [field, value] of Object.entries(data)) {
    const property = properties[field];
    if (!property || value === null) continue;
    const type = resolveType(property);
    if (type === 'array' && Array.isArray(value)) {
      const itemType = resolveType(property.items as Schema | undefined);
      out[field] = value.map((item) => convert(item, itemType));
    } else out[field] = convert(value, type);
  }
  return out;
}
