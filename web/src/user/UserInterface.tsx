import { useEffect } from 'react';
import { Alert, Bullseye, Button, Nav, NavItem, NavList, Page, Spinner, ToolbarItem } from '@patternfly/react-core';
import { useHashRoute } from '../common/router';
import { useMe } from '../common/me';
import { applyBranding, useTenant } from '../common/tenant';
import { AppMasthead } from '../common/Masthead';
import { ImpersonationBanner } from '../common/ImpersonationBanner';
import { Library } from './Library';
import { Settings } from './Settings';

export default function UserInterface() {
  const tenant = useTenant();
  const { me, error } = useMe();
  const route = useHashRoute('/library');
  useEffect(() => applyBranding(tenant, route.startsWith('/settings') ? 'User settings' : 'My applications'), [tenant, route]);

  if (error) return <Bullseye className="ak-fullpage"><Alert variant="danger" title={error.message} /></Bullseye>;
  if (!me) return <Bullseye className="ak-fullpage"><Spinner size="xl" aria-label="Loading" /></Bullseye>;

  return (
    <>
      <ImpersonationBanner me={me} />
      <Page
        masthead={(
          <AppMasthead tenant={tenant} me={me} home="/if/user/">
            <ToolbarItem>
              <Nav variant="horizontal" aria-label="User navigation">
                <NavList>
                  <NavItem to="#/library" isActive={route.startsWith('/library')}>My applications</NavItem>
                  <NavItem to="#/settings" isActive={route.startsWith('/settings')}>Settings</NavItem>
                </NavList>
              </Nav>
            </ToolbarItem>
            {me.user.is_superuser ? <ToolbarItem className="ak-hide-small"><Button component="a" variant="secondary" href="/if/admin/">Admin interface</Button></ToolbarItem> : null}
          </AppMasthead>
        )}
      >
        {route.startsWith('/settings') ? <Settings me={me} tenant={tenant} /> : <Library />}
      </Page>
    </>
  );
}
