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
  { label: 'nav.health', to: '/health', capability: 'health.read' },
  { label: 'nav.graphiql', to: '/graphql', capability: 'graphiql.open', external: true },
];
