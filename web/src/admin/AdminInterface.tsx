import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Bullseye, Button, Nav, NavExpandable, NavItem, NavList, Page, PageSection, PageSidebar, PageSidebarBody, Spinner, Title, ToolbarItem } from '@patternfly/react-core';
import { useHashRoute } from '../common/router';
import { useMe } from '../common/me';
import { applyBranding, useTenant } from '../common/tenant';
import { AppMasthead } from '../common/Masthead';
import { ImpersonationBanner } from '../common/ImpersonationBanner';
import { collection, collections, pluralName } from './models';
import { NAV } from './nav';
import { ModelList } from './ModelList';
import { ModelDetail } from './ModelDetail';
import { Overview } from './pages/Overview';
import { SystemTasks } from './pages/SystemTasks';
import { AllModels } from './pages/AllModels';
import { DETAIL_EXTENSIONS, LIST_PAGES } from './pages/registry';

function ListPage({ path }: { path: string }) {
  const c = collection(path)!;
  const Custom = LIST_PAGES[path];
  return (
    <>
      <PageSection><Title headingLevel="h1">{NAV.flatMap((g) => g.items).find(([, p]) => p === path)?.[0] ?? pluralName(c)}</Title>
      </PageSection>
      <PageSection>{Custom ? <Custom collection={c} /> : <ModelList collection={c} />}</PageSection>
    </>
  );
}

/** Which page a hash route shows: a fixed page, a collection's list, or one of its objects. */
function routeContent(route: string): ReactNode {
  if (route === '/administration/overview') return <Overview />;
  if (route === '/administration/system-tasks') return <SystemTasks />;
  if (route === '/administration/models') return <AllModels />;
  if (collection(route)) return <ListPage key={route} path={route} />;
  const match = collections
    .filter((c) => route.startsWith(c.path) && c.lookup && !route.slice(c.path.length).includes('/'))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (match) {
    const key = decodeURIComponent(route.slice(match.path.length));
    return <ModelDetail key={route} collection={match} objectKey={key} extension={DETAIL_EXTENSIONS[match.path]} />;
  }
  return <PageSection><Alert variant="warning" isInline title={`There is no page at ${route}.`} /></PageSection>;
}

export default function AdminInterface() {
  const tenant = useTenant();
  const { me, error } = useMe();
  const route = useHashRoute('/administration/overview');
  const [sidebarOpen, setSidebarOpen] = useState(window.innerWidth >= 1200);
  const [isMobile, setIsMobile] = useState(window.innerWidth < 1200);

  useEffect(() => applyBranding(tenant, 'Admin interface'), [tenant]);
  useEffect(() => {
    if (me && !me.user.is_superuser && !me.original) window.location.assign('/if/user/');
  }, [me]);

  if (error) return <Bullseye className="ak-fullpage"><Alert variant="danger" title={error.message} /></Bullseye>;
  if (!me) return <Bullseye className="ak-fullpage"><Spinner size="xl" aria-label="Loading" /></Bullseye>;

  const sidebar = (
    <PageSidebar isSidebarOpen={sidebarOpen}>
      <PageSidebarBody>
        <Nav aria-label="Admin navigation">
          <NavList>
            {NAV.map((group) => (
              <NavExpandable key={group.title} title={group.title} isExpanded={!isMobile || group.items.some(([, path]) => route.startsWith(path))} isActive={group.items.some(([, path]) => route.startsWith(path))}>
                {group.items.map(([title, path]) => (
                  <NavItem key={path} to={`#${path}`} isActive={route === path || (route.startsWith(path) && path.endsWith('/'))}
                    onClick={() => isMobile && setSidebarOpen(false)}>{title}</NavItem>
                ))}
              </NavExpandable>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  return (
    <>
      <ImpersonationBanner me={me} />
      <Page
        masthead={(
          <AppMasthead tenant={tenant} me={me} home="/if/admin/" sidebar={{ open: sidebarOpen, toggle: () => setSidebarOpen(!sidebarOpen) }}>
            <ToolbarItem className="ak-hide-small"><Button component="a" variant="secondary" href="/if/user/">User interface</Button></ToolbarItem>
          </AppMasthead>
        )}
        sidebar={sidebar}
        isManagedSidebar={false}
        onPageResize={(_e, { mobileView }) => { if (mobileView !== isMobile) { setIsMobile(mobileView); setSidebarOpen(!mobileView); } }}
      >
        {routeContent(route)}
      </Page>
    </>
  );
}
