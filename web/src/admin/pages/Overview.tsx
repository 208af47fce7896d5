import { useEffect, useState, type ReactNode } from 'react';
import { Card, CardBody, CardTitle, Gallery, Grid, GridItem, Label, List, ListItem, PageSection, Spinner, Title } from '@patternfly/react-core';
import { get, type Paginated, type Schemas } from '../../api/client';
import { LineChart } from '../../common/LineChart';

function useApi<T>(path: string, query?: Record<string, string | number>): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => { get<T>(path, query).then((data) => setState({ data }), (e: Error) => setState({ error: e.message })); }, [path]);
  return state;
}

function StatusCard({ title, children, loading }: { title: string; children: ReactNode; loading: boolean }) {
  return (
    <Card isCompact>
      <CardTitle>{title}</CardTitle>
      <CardBody>{loading ? <Spinner size="md" aria-label="Loading" /> : children}</CardBody>
    </Card>
  );
}

export function Overview() {
  const version = useApi<Schemas['Version']>('/admin/version/');
  const system = useApi<Schemas['SystemInfo']>('/admin/system/');
  const workers = useApi<{ count: number }>('/admin/workers/');
  const metrics = useApi<Schemas['LoginMetrics']>('/admin/metrics/');
  const events = useApi<Paginated<Schemas['Event']>>('/events/events/', { ordering: '-created', page_size: 8 });
  const failed = (error?: string) => (error ? <span className="ak-muted">{error}</span> : null);
  return (
    <>
      <PageSection><Title headingLevel="h1">Overview</Title><p className="ak-muted">General system status</p></PageSection>
      <PageSection>
        <Gallery hasGutter minWidths={{ default: '220px' }}>
          <StatusCard title="Version" loading={!version.data && !version.error}>
            {failed(version.error)}
            {version.data ? (
              <>
                <strong>{version.data.version_current}</strong>{' '}
                <Label color={version.data.outdated ? 'orange' : 'green'} isCompact>{version.data.outdated ? `${version.data.version_latest} available` : 'Up to date'}</Label>
              </>
            ) : null}
          </StatusCard>
          <StatusCard title="Workers" loading={!workers.data && !workers.error}>
            {failed(workers.error)}
            {workers.data ? <><strong>{workers.data.count}</strong> <Label color={workers.data.count ? 'green' : 'red'} isCompact>{workers.data.count ? 'Running' : 'No workers connected'}</Label></> : null}
          </StatusCard>
          <StatusCard title="System status" loading={!system.data && !system.error}>
            {failed(system.error)}
            {system.data ? (
              <>
                <div>Tenant: {system.data.tenant}</div>
                <div>Runtime: Node.js {system.data.runtime.python_version}</div>
                <div>Server time: {new Date(system.data.server_time).toLocaleString()}</div>
                <div>HTTPS: {system.data.http_is_secure ? 'yes' : 'no'}</div>
              </>
            ) : null}
          </StatusCard>
        </Gallery>
      </PageSection>
      <PageSection>
        <Grid hasGutter>
          <GridItem lg={8}>
            <Card>
              <CardTitle>Logins and authorizations over the last week (per 8 hours)</CardTitle>
              <CardBody>
                {failed(metrics.error)}
                {metrics.data ? (
                  <LineChart
                    label="Logins over the last week"
                    series={[
                      { name: 'Logins', color: '#3e8635', points: metrics.data.logins },
                      { name: 'Failed logins', color: '#c9190b', points: metrics.data.logins_failed },
                      { name: 'Authorizations', color: '#0066cc', points: metrics.data.authorizations },
                    ]}
                  />
                ) : !metrics.error ? <Spinner size="md" aria-label="Loading" /> : null}
              </CardBody>
            </Card>
          </GridItem>
          <GridItem lg={4}>
            <Card>
              <CardTitle>Recent events</CardTitle>
              <CardBody>
                {failed(events.error)}
                {events.data ? (
                  events.data.results.length ? (
                    <List isPlain>
                      {events.data.results.map((event) => (
                        <ListItem key={event.pk}>
                          <a href={`#/events/events/${event.pk}`}>{event.action}</a>{' '}
                          <span className="ak-muted">{String((event.user as Record<string, unknown>)?.username ?? '')} · {new Date(event.created).toLocaleString()}</span>
                        </ListItem>
                      ))}
                    </List>
                  ) : <span className="ak-muted">No events yet.</span>
                ) : null}
              </CardBody>
            </Card>
          </GridItem>
        </Grid>
      </PageSection>
    </>
  );
}
