import { useSyncExternalStore } from 'react';
import { session, type Phase, type Session } from './session';
import { can, type Capability } from './roles';

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get, session.get);
}

/** Whether the start-up restore (a reload's `refreshSession`) has answered yet. */
export function useSessionPhase(): Phase {
  return useSyncExternalStore(session.subscribe, session.phase, session.phase);
}

export function useCan(capability: Capability): boolean {
  const current = useSession();
  return can(current?.user.role, capability);
}
