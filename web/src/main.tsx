import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { Bullseye, Spinner } from '@patternfly/react-core';
import '@patternfly/react-core/dist/styles/base.css';
import './styles.css';
import { currentTenant } from './common/tenant';
import { applyTheme } from './common/theme';

const FlowInterface = lazy(() => import('./flow/FlowInterface'));
const UserInterface = lazy(() => import('./user/UserInterface'));
const AdminInterface = lazy(() => import('./admin/AdminInterface'));

/** Which of authentik's interfaces this page is, from its path (`/if/flow/<slug>/`, `/if/user/`, `/if/admin/`). */
function Interface() {
  const path = window.location.pathname;
  const flow = path.match(/^\/if\/flow\/([^/]+)\/?/);
  if (flow) return <FlowInterface slug={decodeURIComponent(flow[1])} />;
  if (path.startsWith('/if/admin')) return <AdminInterface />;
  return <UserInterface />;
}

applyTheme({ ui_theme: 'automatic' });
void currentTenant().then(applyTheme);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense fallback={<Bullseye className="ak-fullpage"><Spinner size="xl" aria-label="Loading" /></Bullseye>}>
      <Interface />
    </Suspense>
  </StrictMode>,
);
