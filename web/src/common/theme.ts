import type { CurrentTenant } from './tenant';

const DARK_CLASS = 'pf-v6-theme-dark';

/** Light or dark: the tenant's choice, or the system's when it says "automatic" (followed live). */
export function applyTheme(tenant: Pick<CurrentTenant, 'ui_theme'>): void {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const set = () => {
    const dark = tenant.ui_theme === 'dark' || (tenant.ui_theme !== 'light' && media.matches);
    document.documentElement.classList.toggle(DARK_CLASS, dark);
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  };
  set();
  media.onchange = set;
}
