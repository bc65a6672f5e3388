import { useSyncExternalStore } from 'react';
import { session, type Session } from './session';
import { can, type Capability } from './roles';

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get, session.get);
}

export function useCan(capability: Capability): boolean {
  const current = useSession();
  return can(current?.user.role, capability);
}
