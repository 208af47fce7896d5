import type { ReactNode } from 'react';
import { Label } from '@patternfly/react-core';
import { concreteCollection, enumOptions, isPolymorphic, resolve, schemaByName, type Collection, type JsonSchema } from './models';
import { objectLabel } from './references';

export type Row = Record<string, unknown>;

/** The value of an object that goes into its detail URL (`{slug}`, `{id}`, `{group_uuid}` → pk). */
export function objectKey(c: Collection, row: Row): string {
  const value = (c.lookup && row[c.lookup] !== undefined ? row[c.lookup] : undefined) ?? row.pk ?? row.id ?? row.uuid;
  return String(value ?? '');
}

/** The admin route of an object: polymorphic lists link to the object's own type. */
export function objectRoute(c: Collection, row: Row): string {
  const target = isPolymorphic(c) ? concreteCollection(row.meta_model_name as string | undefined, c) ?? c : c;
  return `${target.path}${encodeURIComponent(objectKey(target, row))}`;
}

const HIDDEN = /(^|_)(obj|ptr_id)$|^(component|meta_model_name|verbose_name|verbose_name_plural|pk|managed|icon|meta_icon|avatar|attributes|expression|template|context|key|private_key|certificate_data|key_data)$/;
const FIRST = ['username', 'name', 'title', 'identifier', 'slug', 'field_key', 'action', 'domain'];

/** The columns a list shows for a response schema: its naming fields first, then a few short scalars. */
export function listColumns(c: Collection): string[] {
  const properties = schemaByName(c.schema).properties ?? {};
  const keys = Object.keys(properties);
  const scalar = (key: string) => {
    const s = resolve(properties[key]);
    return ['string', 'boolean', 'integer', 'number'].includes(s.type ?? '') || Boolean(s.enum);
  };
  const first = FIRST.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !first.includes(k) && !HIDDEN.test(k) && scalar(k));
  const columns = [...first.slice(0, 2), ...rest].slice(0, 5);
  return columns.length ? columns : keys.slice(0, 3);
}

/** A field's value for people: names of related objects, yes/no, dates, counts. */
export function displayValue(key: string, value: unknown, row: Row, schema?: JsonSchema): ReactNode {
  const related = row[`${key}_obj`];
  if (related && typeof related === 'object' && !Array.isArray(related)) return objectLabel(related as Row);
  if (Array.isArray(related)) return related.map((r) => objectLabel(r as Row)).join(', ') || '–';
  if (value === null || value === undefined || value === '') return <span className="ak-muted">–</span>;
  if (typeof value === 'boolean') return <Label color={value ? 'green' : 'grey'} isCompact>{value ? 'Yes' : 'No'}</Label>;
  const resolved = schema ? resolve(schema) : undefined;
  if (resolved?.enum && typeof value === 'string') return enumOptions(resolved).find((o) => o.value === value)?.label ?? value;
  if (typeof value === 'string' && (resolved?.format === 'date-time' || /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value))) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return <time dateTime={value}>{date.toLocaleString()}</time>;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object')) return value.join(', ') || <span className="ak-muted">–</span>;
    return `${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (typeof value === 'object') return <pre className="ak-json">{JSON.stringify(value, null, 2)}</pre>;
  return String(value);
}
