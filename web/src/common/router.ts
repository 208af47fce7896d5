import { useEffect, useState } from 'react';

/** The route of a hash-routed interface (`/if/admin/#/core/users/5`), as authentik's interfaces use. */
export function useHashRoute(fallback: string): string {
  const read = () => decodeURI(window.location.hash.replace(/^#/, '')) || fallback;
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    // A hash that changed between the first render and this listener (a page opened and moved on at once) counts too.
    onChange();
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(route: string): void {
  window.location.hash = `#${route}`;
}
