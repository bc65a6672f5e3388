// Every route of the console's router, as data: the router is built from it and the browser
// tests visit each one (at 1280 and 390 px), so a new screen cannot go unvisited.
import type { Capability } from '../auth/roles';

export interface RouteSpec {
  id: RouteId;
  path: string;
  capability: Capability | null;
}

export type RouteId =
  | 'signIn'
  | 'campaigns'
  | 'campaignNew'
  | 'compare'
  | 'campaign'
  | 'campaignEdit'
  | 'participants'
  | 'participantLinks'
  | 'report'
  | 'health'
  | 'notFound';

export const ROUTES: readonly RouteSpec[] = [
  { id: 'signIn', path: '/sign-in', capability: null },
  { id: 'campaigns', path: '/campaigns', capability: 'campaigns.read' },
  { id: 'campaignNew', path: '/campaigns/new', capability: 'campaigns.edit' },
  { id: 'compare', path: '/campaigns/compare', capability: 'reports.read' },
  { id: 'campaign', path: '/campaigns/:id', capability: 'campaigns.read' },
  { id: 'campaignEdit', path: '/campaigns/:id/edit', capability: 'campaigns.edit' },
  { id: 'participants', path: '/campaigns/:id/participants', capability: 'participants.manage' },
  {
    id: 'participantLinks',
    path: '/campaigns/:id/participants/:participantId',
    capability: 'participants.manage',
  },
  { id: 'report', path: '/campaigns/:id/report', capability: 'reports.read' },
  { id: 'health', path: '/health', capability: 'health.read' },
  { id: 'notFound', path: '*', capability: null },
];
