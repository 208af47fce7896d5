import { useEffect, useState } from 'react';
import { Alert, Card, CardBody, CardHeader, CardTitle, EmptyState, EmptyStateBody, PageSection, SearchInput, Spinner, Title } from '@patternfly/react-core';
import { get, type Paginated, type Schemas } from '../api/client';

type Application = Schemas['Application'];

function AppIcon({ app }: { app: Application }) {
  if (app.meta_icon) return <img className="ak-app-icon" src={app.meta_icon} alt="" />;
  return <span className="ak-app-icon-letter" aria-hidden>{app.name.charAt(0).toUpperCase()}</span>;
}

function AppCard({ app }: { app: Application }) {
  const newTab = app.open_in_new_tab ? { target: '_blank', rel: 'noopener noreferrer' } : {};
  return (
    <Card className="ak-app-card" isCompact>
      <CardHeader><AppIcon app={app} /></CardHeader>
      <CardTitle><a href={app.launch_url ?? undefined} {...newTab}>{app.name}</a></CardTitle>
      <CardBody>
        {app.meta_publisher ? <div className="ak-muted">{app.meta_publisher}</div> : null}
        {app.meta_description ? <div>{app.meta_description}</div> : null}
      </CardBody>
    </Card>
  );
}

/** The applications this user may open (those with a launch URL), grouped and searchable. */
export function Library() {
  const [apps, setApps] = useState<Application[]>();
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState('');
  useEffect(() => {
    get<Paginated<Application>>('/core/applications/', { ordering: 'name', page_size: 100 })
      .then((page) => setApps(page.results.filter((app) => app.launch_url)), (e: Error) => setError(e.message));
  }, []);
  const term = search.trim().toLowerCase();
  const shown = (apps ?? []).filter((app) => !term || [app.name, app.meta_description, app.meta_publisher, app.group].some((v) => v?.toLowerCase().includes(term)));
  const groups = [...new Set(shown.map((app) => app.group ?? ''))].sort();
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">My applications</Title>
        <div style={{ maxWidth: 420, marginTop: '1rem' }}>
          <SearchInput aria-label="Search applications" placeholder="Search applications…" value={search} onChange={(_e, v) => setSearch(v)} onClear={() => setSearch('')} />
        </div>
      </PageSection>
      <PageSection>
        {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
        {!apps && !error ? <Spinner size="lg" aria-label="Loading" /> : null}
        {apps && !shown.length ? (
          <EmptyState titleText={search ? 'No matching applications' : 'No applications available'} headingLevel="h2">
            <EmptyStateBody>{search ? 'Nothing matches this search.' : 'Either no applications are defined, or you don’t have access to any.'}</EmptyStateBody>
          </EmptyState>
        ) : null}
        {groups.map((group) => (
          <section key={group} aria-label={group || 'Applications'} style={{ marginBottom: '1.5rem' }}>
            {group ? <Title headingLevel="h2" size="lg" style={{ marginBottom: '0.75rem' }}>{group}</Title> : null}
            <div className="ak-library-grid">
              {shown.filter((app) => (app.group ?? '') === group).map((app) => <AppCard key={app.pk} app={app} />)}
            </div>
          </section>
        ))}
      </PageSection>
    </>
  );
}
