// A concrete URL for every route of the router (src/app/routePaths.ts), given the ids its
// parameters need: the route suite visits them all, and so does the console benchmark
// (bench/console.bench.ts).
import type { RouteSpec } from '../src/app/routePaths';
import { reportUrls } from '../src/reports/urls';

export interface RouteIds {
  /** A campaign (`:id`) that has started, so its report has numbers. */
  id: string;
  /** A participant enrolled in it, and that enrolment. */
  participantId: string;
  enrolmentId: string;
  /** Started campaigns to compare (two or more where there are). */
  compareIds: string[];
}

export function pathOf(route: RouteSpec, ids: RouteIds): string {
  if (route.path === '*') return '/no-such-page';
  if (route.id === 'compare') return reportUrls.compare(ids.compareIds);
  let path = route.path.replace(':id', ids.id).replace(':participantId', ids.participantId);
  if (route.id === 'participantLinks') path += `?enrolment=${ids.enrolmentId}`;
  return path;
}
