import { Banner, Button, Flex } from '@patternfly/react-core';
import { get } from '../api/client';
import type { SessionUser } from './me';

/** While a superuser impersonates someone: who, and a way back (`/core/users/impersonate_end/`). */
export function ImpersonationBanner({ me }: { me?: SessionUser }) {
  if (!me?.original) return null;
  const stop = async () => {
    await get('/core/users/impersonate_end/').catch(() => undefined);
    window.location.assign('/if/admin/');
  };
  return (
    <Banner color="orange" className="ak-impersonation" role="status">
      <Flex justifyContent={{ default: 'justifyContentCenter' }} alignItems={{ default: 'alignItemsCenter' }}>
        <span>You're currently impersonating {me.user.username}. Click to stop.</span>
        <Button variant="secondary" size="sm" onClick={stop}>Stop impersonation</Button>
      </Flex>
    </Banner>
  );
}
