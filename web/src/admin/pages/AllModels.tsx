import { useState } from 'react';
import { PageSection, SearchInput, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { collections, pluralName } from '../models';

/** Every collection of the API schema, each with its generated list, detail and forms. */
export function AllModels() {
  const [search, setSearch] = useState('');
  const shown = collections.filter((c) => `${c.path} ${pluralName(c)}`.toLowerCase().includes(search.toLowerCase()));
  return (
    <>
      <PageSection><Title headingLevel="h1">All models</Title><p className="ak-muted">Every object type of the API.</p></PageSection>
      <PageSection>
        <SearchInput aria-label="Search models" placeholder="Search…" value={search} onChange={(_e, v) => setSearch(v)} onClear={() => setSearch('')} />
        <Table aria-label="Models" variant="compact">
          <Thead><Tr><Th>Model</Th><Th>API path</Th><Th>Create</Th></Tr></Thead>
          <Tbody>
            {shown.map((c) => (
              <Tr key={c.path}>
                <Td dataLabel="Model"><a href={`#${c.path}`}>{pluralName(c)}</a></Td>
                <Td dataLabel="API path"><code>/api/v3{c.path}</code></Td>
                <Td dataLabel="Create">{c.create ? 'yes' : 'no'}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </PageSection>
    </>
  );
}
