import { useEffect, useState } from 'react';
import { Checkbox, FormSelect, FormSelectOption, SearchInput, Stack } from '@patternfly/react-core';
import { get, type Paginated } from '../../api/client';
import { objectLabel, type Reference } from '../references';

type Row = Record<string, unknown>;

function useSearch(reference: Reference, search: string) {
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      get<Paginated<Row>>(reference.path, { search: search || undefined, page_size: 50 })
        .then((page) => live && (setRows(page.results), setError(undefined)), (e: Error) => live && setError(e.message));
    }, search ? 250 : 0);
    return () => { live = false; clearTimeout(timer); };
  }, [reference.path, search]);
  return { rows, error };
}

const valueOf = (row: Row, reference: Reference) => String(row[reference.value] ?? row.pk ?? '');
/** Flows (and applications) often share a name, as authentik's two "Authorize Application" flows do: the slug tells them apart. */
const optionLabel = (row: Row) => (typeof row.slug === 'string' && row.slug && row.slug !== objectLabel(row) ? `${objectLabel(row)} (${row.slug})` : objectLabel(row));

interface SingleProps {
  id: string;
  reference: Reference;
  value: unknown;
  onChange(value: string | null): void;
  nullable: boolean;
  label: string;
  describedBy?: string;
}

/** A searchable picker for one related object: type to search its collection, pick from the matches. */
export function ReferencePicker({ id, reference, value, onChange, nullable, label, describedBy }: SingleProps) {
  const [search, setSearch] = useState('');
  const { rows, error } = useSearch(reference, search);
  const current = value === null || value === undefined ? '' : String(value);
  const known = rows.some((row) => valueOf(row, reference) === current);
  return (
    <Stack hasGutter>
      <SearchInput aria-label={`Search ${label}`} placeholder={`Search ${label.toLowerCase()}…`} value={search} onChange={(_e, v) => setSearch(v)} onClear={() => setSearch('')} />
      <FormSelect id={id} value={current} onChange={(_e, v) => onChange(v === '' ? null : v)} aria-describedby={describedBy} validated={error ? 'error' : 'default'}>
        <FormSelectOption value="" label={nullable ? '---------' : 'Select…'} isDisabled={!nullable} />
        {current && !known ? <FormSelectOption value={current} label={`Current (${current})`} /> : null}
        {rows.map((row) => <FormSelectOption key={valueOf(row, reference)} value={valueOf(row, reference)} label={optionLabel(row)} />)}
      </FormSelect>
      {error ? <span className="ak-muted">{error}</span> : null}
    </Stack>
  );
}

interface MultiProps {
  id: string;
  reference: Reference;
  value: unknown;
  onChange(value: string[]): void;
  label: string;
}

/** A searchable checklist for many related objects. */
export function ReferenceMultiPicker({ id, reference, value, onChange, label }: MultiProps) {
  const [search, setSearch] = useState('');
  const { rows, error } = useSearch(reference, search);
  const selected = Array.isArray(value) ? value.map(String) : [];
  const toggle = (key: string, on: boolean) => onChange(on ? [...selected, key] : selected.filter((s) => s !== key));
  const listed = new Set(rows.map((row) => valueOf(row, reference)));
  return (
    <Stack hasGutter id={id} role="group" aria-label={label}>
      <SearchInput aria-label={`Search ${label}`} placeholder={`Search ${label.toLowerCase()}…`} value={search} onChange={(_e, v) => setSearch(v)} onClear={() => setSearch('')} />
      <div className="ak-picker-list">
        {selected.filter((key) => !listed.has(key)).map((key) => (
          <Checkbox key={key} id={`${id}-${key}`} label={`Selected (${key})`} isChecked onChange={(_e, on) => toggle(key, on)} />
        ))}
        {rows.map((row) => {
          const key = valueOf(row, reference);
          return <Checkbox key={key} id={`${id}-${key}`} label={optionLabel(row)} isChecked={selected.includes(key)} onChange={(_e, on) => toggle(key, on)} />;
        })}
        {!rows.length && !error ? <span className="ak-muted">Nothing found.</span> : null}
        {error ? <span className="ak-muted">{error}</span> : null}
      </div>
    </Stack>
  );
}
