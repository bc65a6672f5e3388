// The menu, gated by the role table: an entry a role may not use is not shown.
import type { Capability } from '../auth/roles';
import type { MessageKey } from '../i18n';

export interface MenuEntry {
  label: MessageKey;
  to: string;
  capability: Capability;
  /** A separate page (GraphiQL), opened by a full navigation. */
  external?: boolean;
}

export const MENU: readonly MenuEntry[] = [
  { label: 'nav.campaigns', to: '/campaigns', capability: 'campaigns.read' },
  { label: 'nav.compare', to: '/campaigns/compare', capability: 'reports.read' },
  { label: 'nav.health', to: '/health', capability: 'health.read' },
  { label: 'nav.graphiql', to: '/graphql', capability: 'graphiql.open', external: true },
];

/** The entry a path belongs to: the deepest one it is at or below (compare is not campaigns). */
export function activeMenuEntry(
  pathname: string,
  entries: readonly MenuEntry[],
): MenuEntry | undefined {
  return entries
    .filter((e) => !e.external && (pathname === e.to || pathname.startsWith(`${e.to}/`)))
    .reduce<MenuEntry | undefined>(
      (best, e) => (best && best.to.length >= e.to.length ? best : e),
      undefined,
    );
}
