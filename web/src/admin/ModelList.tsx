import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  Alert, Button, EmptyState, EmptyStateBody, MenuToggle, Pagination, SearchInput, Select, SelectList, SelectOption, Spinner,
  Toolbar, ToolbarContent, ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { api, get, type Paginated } from '../api/client';
import { navigate } from '../common/router';
import { collection as findCollection, fieldLabel, isPolymorphic, modelName, pluralName, schemaByName, subtypeCollections, type Collection } from './models';
import { displayValue, listColumns, objectKey, objectRoute, type Row } from './objects';
import { objectLabel } from './references';
import { DeleteModal, type DeleteTarget } from './forms/DeleteModal';
import { FormModal } from './forms/FormModal';
import { useCreationDefaults } from './forms/creationDefaults';

interface Props {
  collection: Collection;
  /** Fixed filters (a flow's bindings: `{ target: pk }`). */
  query?: Record<string, string | number | boolean>;
  columns?: string[];
  /** Values every created object gets (and the form hides). */
  createFixed?: Record<string, unknown>;
  /** Request fields the create form leaves out. */
  createExclude?: string[];
  /** Cells of extra columns, after the schema's. */
  extraColumns?: { title: string; cell(row: Row, reload: () => void): ReactNode }[];
  /** Rows link to their detail page unless this says otherwise. */
  linkRows?: boolean;
  title?: string;
  pageSize?: number;
  /** Refresh when this changes (a parent's edit). */
  refreshKey?: unknown;
}

/** A paged, searchable, sortable list of one collection, with create and bulk delete; driven by the schema. */
export function ModelList({ collection, query = {}, columns, createFixed, createExclude, extraColumns = [], linkRows = true, title, pageSize = 20, refreshKey }: Props) {
  const shown = columns ?? listColumns(collection);
  const properties = schemaByName(collection.schema).properties ?? {};
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(pageSize);
  const [search, setSearch] = useState('');
  const [ordering, setOrdering] = useState<string>();
  const [data, setData] = useState<Paginated<Row>>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<Row[]>([]);
  const [creating, setCreating] = useState<Collection>();
  const creationDefaults = useCreationDefaults(creating?.create);
  const [choosing, setChoosing] = useState(false);
  const [deleting, setDeleting] = useState<DeleteTarget[]>();
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const queryKey = JSON.stringify(query);

  useEffect(() => {
    let live = true;
    get<Paginated<Row>>(collection.path, { ...query, page, page_size: perPage, search: search || undefined, ordering })
      .then((d) => { if (live) { setData(d); setError(undefined); setSelected([]); } }, (e: Error) => live && setError(e.message));
    return () => { live = false; };
    // queryKey stands for query.
  }, [collection.path, queryKey, page, perPage, search, ordering, tick, refreshKey]);

  const sortIndex = ordering ? shown.indexOf(ordering.replace(/^-/, '')) : -1;
  const subtypes = isPolymorphic(collection) ? subtypeCollections(collection) : [];
  const canCreate = Boolean(collection.create) || subtypes.length > 0;
  const name = modelName(collection);
  const rows = data?.results ?? [];
  const targetOf = (row: Row): DeleteTarget => {
    const route = objectRoute(collection, row);
    const owner = route.slice(0, route.lastIndexOf('/') + 1);
    return { label: objectLabel(row), path: `${route}/`, usedBy: findCollection(owner)?.usedBy ?? false };
  };

  return (
    <div className="ak-model-list">
      <Toolbar>
        <ToolbarContent>
          {title ? <ToolbarItem><strong>{title}</strong></ToolbarItem> : null}
          {collection.search ? (
            <ToolbarItem>
              <SearchInput aria-label={`Search ${pluralName(collection)}`} placeholder="Search…" value={search} onChange={(_e, v) => { setSearch(v); setPage(1); }} onClear={() => setSearch('')} />
            </ToolbarItem>
          ) : null}
          {canCreate ? (
            <ToolbarItem>
              {subtypes.length ? (
                <Select
                  isOpen={choosing} onOpenChange={setChoosing} onSelect={(_e, value) => { setChoosing(false); setCreating(subtypes.find((s) => s.path === value)); }}
                  toggle={(ref) => <MenuToggle ref={ref} variant="primary" onClick={() => setChoosing(!choosing)} isExpanded={choosing}>Create</MenuToggle>}
                >
                  <SelectList aria-label="Type to create">
                    {subtypes.map((s) => <SelectOption key={s.path} value={s.path} description={schemaByName(s.create!).description?.split('\n')[0]}>{modelName(s)}</SelectOption>)}
                  </SelectList>
                </Select>
              ) : <Button variant="primary" onClick={() => setCreating(collection)}>Create</Button>}
            </ToolbarItem>
          ) : null}
          {collection.destroy || isPolymorphic(collection) ? (
            <ToolbarItem>
              <Button variant="danger" isDisabled={!selected.length} onClick={() => setDeleting(selected.map(targetOf))}>Delete</Button>
            </ToolbarItem>
          ) : null}
          <ToolbarItem>
            <Button variant="plain" onClick={reload} aria-label="Refresh">↻</Button>
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
            <Pagination
              itemCount={data?.pagination.count ?? 0} page={page} perPage={perPage} isCompact
              onSetPage={(_e, p) => setPage(p)} onPerPageSelect={(_e, p) => { setPerPage(p); setPage(1); }}
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
      {!data && !error ? <Spinner size="lg" aria-label="Loading" /> : null}
      {data && !rows.length ? (
        <EmptyState titleText="No objects found." headingLevel="h3"><EmptyStateBody>{search ? 'Nothing matches this search.' : `There is no ${name.toLowerCase()} yet.`}</EmptyStateBody></EmptyState>
      ) : null}
      {rows.length ? (
        <div className="ak-table-wrap">
          <Table aria-label={title ?? name} variant="compact">
            <Thead>
              <Tr>
                <Th screenReaderText="Select" select={{ onSelect: (_e, on) => setSelected(on ? rows : []), isSelected: selected.length === rows.length }} />
                {shown.map((key, index) => (
                  <Th
                    key={key}
                    sort={collection.ordering ? {
                      columnIndex: index, sortBy: { index: sortIndex >= 0 ? sortIndex : undefined, direction: ordering?.startsWith('-') ? 'desc' : 'asc' },
                      onSort: (_e, _i, direction) => setOrdering(direction === 'desc' ? `-${key}` : key),
                    } : undefined}
                  >
                    {fieldLabel(key)}
                  </Th>
                ))}
                {extraColumns.map((c) => <Th key={c.title}>{c.title}</Th>)}
              </Tr>
            </Thead>
            <Tbody>
              {rows.map((row, rowIndex) => (
                <Tr key={objectKey(collection, row) || rowIndex}>
                  <Td select={{ rowIndex, onSelect: (_e, on) => setSelected(on ? [...selected, row] : selected.filter((r) => r !== row)), isSelected: selected.includes(row) }} />
                  {shown.map((key, index) => (
                    <Td key={key} dataLabel={fieldLabel(key)}>
                      {index === 0 && linkRows && collection.lookup ? (
                        <a href={`#${objectRoute(collection, row)}`}>{displayValue(key, row[key], row, properties[key])}</a>
                      ) : displayValue(key, row[key], row, properties[key])}
                    </Td>
                  ))}
                  {extraColumns.map((c) => <Td key={c.title} dataLabel={c.title}>{c.cell(row, reload)}</Td>)}
                </Tr>
              ))}
            </Tbody>
          </Table>
        </div>
      ) : null}
      {creating?.create && creationDefaults ? (
        <FormModal
          title={`Create ${modelName(creating)}`} schemaName={creating.create} initial={creationDefaults} fixed={createFixed} exclude={createExclude} submitLabel="Create"
          onClose={() => setCreating(undefined)}
          onSubmit={async (values) => {
            const created = await api<Row>('POST', creating.path, { body: values });
            reload();
            if (!createFixed && creating.lookup && linkRows) navigate(`${creating.path}${encodeURIComponent(objectKey(creating, created))}`);
          }}
        />
      ) : null}
      {deleting ? <DeleteModal targets={deleting} onClose={() => setDeleting(undefined)} onDeleted={reload} /> : null}
    </div>
  );
}
