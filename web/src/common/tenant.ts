import { useEffect, useState } from 'react';
import { get, type Schemas } from '../api/client';

export type CurrentTenant = Schemas['CurrentTenant'];

const FALLBACK: CurrentTenant = {
  matched_domain: '', branding_title: 'authentik', branding_logo: '/static/dist/assets/icons/icon_left_brand.svg',
  branding_favicon: '/static/dist/assets/icons/icon.png', ui_footer_links: [], ui_theme: 'automatic', default_locale: '',
};

let current: Promise<CurrentTenant> | undefined;

/** The tenant matched by this host (`/core/tenants/current/`, readable without logging in), fetched once. */
export function currentTenant(): Promise<CurrentTenant> {
  current ??= get<CurrentTenant>('/core/tenants/current/').catch(() => FALLBACK);
  return current;
}

export function useTenant(): CurrentTenant {
  const [tenant, setTenant] = useState<CurrentTenant>(FALLBACK);
  useEffect(() => {
    let live = true;
    currentTenant().then((t) => live && setTenant(t));
    return () => { live = false; };
  }, []);
  return tenant;
}

/** Title and favicon of the page, as authentik sets them: "<page> - <branding title>". */
export function applyBranding(tenant: CurrentTenant, pageTitle?: string): void {
  const brand = tenant.branding_title || 'authentik';
  document.title = pageTitle ? `${pageTitle} - ${brand}` : brand;
  let icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!icon) {
    icon = document.createElement('link');
    icon.rel = 'icon';
    document.head.append(icon);
  }
  if (tenant.branding_favicon) icon.href = tenant.branding_favicon;
}
