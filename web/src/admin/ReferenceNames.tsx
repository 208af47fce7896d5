import { useEffect, useState } from 'react';
import { get, type Paginated } from '../api/client';
import { collection as findCollection, concreteCollection, isPolymorphic } from './models';
import { objectRoute, type Row } from './objects';
import { objectLabel, type Reference } from './references';

const cache = new Map<string, Promise<Row | undefined>>();

/** One related object by its key: a detail GET, or a filter where the detail route is looked up by slug (flows). */
function fetchReferenced(reference: Reference, key: string): Promise<Row | undefined> {
  const id = `${reference.path}${key}`;
  let found = cache.get(id);
  if (!found) {
    found = reference.path === '/flows/instances/'
      ? get<Paginated<Row>>(reference.path, { flow_uuid: key }).then((page) => page.results[0])
      : get<Row>(`${reference.path}${encodeURIComponent(key)}/`);
    found = found.catch(() => undefined);
    cache.set(id, found);
  }
  return found;
}

function routeOf(reference: Reference, row: Row): string | undefined {
  const base = findCollection(reference.path);
  if (!base) return undefined;
  const target = isPolymorphic(base) ? concreteCollection(row.meta_model_name as string | undefined, base) : base;
  return target?.retrieve ? objectRoute(target, row) : undefined;
}

/** The names of the objects a reference field holds keys of (an authorization flow, property mappings), linked. */
export function ReferenceNames({ reference, value }: { reference: Reference; value: unknown }) {
  const keys = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined && v !== '').map(String);
  const [rows, setRows] = useState<(Row | undefined)[]>();
  const joined = keys.join(',');
  useEffect(() => {
    let live = true;
    void Promise.all(keys.map((key) => fetchReferenced(reference, key))).then((found) => live && setRows(found));
    return () => { live = false; };
    // joined stands for keys.
  }, [reference.path, joined]);
  if (!keys.length) return <span className="ak-muted">–</span>;
  return (
    <>
      {keys.map((key, index) => {
        const row = rows?.[index];
        const route = row ? routeOf(reference, row) : undefined;
        const label = row ? objectLabel(row) : key;
        return (
          <span key={key}>
            {index ? ', ' : null}
            {route ? <a href={`#${route}`}>{label}</a> : label}
          </span>
        );
      })}
    </>
  );
}
