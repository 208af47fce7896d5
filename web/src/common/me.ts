import { useEffect, useState } from 'react';
import { get, type Schemas } from '../api/client';

export type SessionUser = Schemas['SessionUser'];

/** The logged-in user (`/core/users/me/`), with the impersonator as `original` while impersonating. */
export function useMe(): { me?: SessionUser; error?: Error; reload(): void } {
  const [me, setMe] = useState<SessionUser>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<SessionUser>('/core/users/me/').then(setMe, setError);
  }, [tick]);
  return { me, error, reload: () => setTick((t) => t + 1) };
}
