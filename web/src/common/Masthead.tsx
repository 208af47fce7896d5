import { useState, type ReactNode } from 'react';
import {
  Dropdown, DropdownItem, DropdownList, Masthead, MastheadBrand, MastheadContent, MastheadLogo, MastheadMain, MastheadToggle,
  MenuToggle, PageToggleButton, Toolbar, ToolbarContent, ToolbarGroup, ToolbarItem,
} from '@patternfly/react-core';
import BarsIcon from '@patternfly/react-icons/dist/esm/icons/bars-icon';
import UserIcon from '@patternfly/react-icons/dist/esm/icons/user-icon';
import type { SessionUser } from './me';
import type { CurrentTenant } from './tenant';

interface Props {
  tenant: CurrentTenant;
  me?: SessionUser;
  home: string;
  sidebar?: { open: boolean; toggle(): void };
  children?: ReactNode;
}

/** The bar on top of the user and admin interfaces: brand, links, the user's menu with logout. */
export function AppMasthead({ tenant, me, home, sidebar, children }: Props) {
  const [open, setOpen] = useState(false);
  const logout = tenant.flow_invalidation ? `/if/flow/${tenant.flow_invalidation}/` : '/flows/-/default/invalidation/';
  return (
    <Masthead>
      <MastheadMain>
        {sidebar ? (
          <MastheadToggle>
            <PageToggleButton isHamburgerButton={false} variant="plain" aria-label="Navigation" isSidebarOpen={sidebar.open} onSidebarToggle={sidebar.toggle}>
              <BarsIcon />
            </PageToggleButton>
          </MastheadToggle>
        ) : null}
        <MastheadBrand>
          <MastheadLogo href={home}>
            <img className="ak-masthead-logo" src={tenant.branding_logo} alt={tenant.branding_title || 'authentik'} />
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarGroup align={{ default: 'alignEnd' }} gap={{ default: 'gapMd' }}>
              {children}
              <ToolbarItem>
                <Dropdown
                  isOpen={open} onOpenChange={setOpen} popperProps={{ position: 'right' }}
                  toggle={(ref) => (
                    <MenuToggle ref={ref} variant="plain" onClick={() => setOpen(!open)} isExpanded={open} aria-label="User menu"
                      icon={<UserIcon />}>
                      <span className="ak-hide-small">{me?.user.username ?? ''}</span>
                    </MenuToggle>
                  )}
                >
                  <DropdownList>
                    {me ? <DropdownItem key="who" isDisabled description={me.user.name}>{me.user.username}</DropdownItem> : null}
                    {home !== '/if/user/' ? <DropdownItem key="user" to="/if/user/">User interface</DropdownItem> : null}
                    {home !== '/if/admin/' && me?.user.is_superuser ? <DropdownItem key="admin" to="/if/admin/">Admin interface</DropdownItem> : null}
                    <DropdownItem key="settings" to="/if/user/#/settings">Settings</DropdownItem>
                    <DropdownItem key="logout" to={logout}>Log out</DropdownItem>
                  </DropdownList>
                </Dropdown>
              </ToolbarItem>
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );
}
