// The one role table: what each staff role may do in the console. Routes and the menu read it;
// what a role may not do is neither shown nor navigable. The API still decides (these mirror the
// role lists in api/src/auth/principal.rs and the resolvers).
import type { Role } from '../graphql/generated/graphql';

export type Capability =
  | 'campaigns.read'
  | 'campaigns.edit'
  | 'participants.manage'
  | 'participants.import'
  | 'reports.read'
  | 'recommendations.apply'
  | 'health.read'
  | 'graphiql.open';

export const ROLES: readonly Role[] = ['ADMIN', 'MARKETING_MANAGER', 'SALES', 'FINANCE', 'OPS'];

/** Roles besides ADMIN (who may do everything) holding each capability. */
export const ROLE_TABLE: Record<Capability, readonly Role[]> = {
  'campaigns.read': ['MARKETING_MANAGER', 'SALES', 'FINANCE', 'OPS'],
  'campaigns.edit': ['MARKETING_MANAGER'],
  'participants.manage': ['MARKETING_MANAGER', 'SALES'],
  'participants.import': ['MARKETING_MANAGER'],
  'reports.read': ['MARKETING_MANAGER', 'SALES', 'FINANCE'],
  'recommendations.apply': ['MARKETING_MANAGER'],
  'health.read': ['MARKETING_MANAGER', 'FINANCE', 'OPS'],
  'graphiql.open': ['MARKETING_MANAGER', 'SALES', 'FINANCE', 'OPS'],
};

export function can(role: Role | null | undefined, capability: Capability): boolean {
  if (!role) return false;
  return role === 'ADMIN' || ROLE_TABLE[capability].includes(role);
}
