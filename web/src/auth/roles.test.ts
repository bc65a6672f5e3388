import { describe, expect, it } from 'vitest';
import { can, ROLES, ROLE_TABLE, type Capability } from './roles';

describe('role table', () => {
  it('lets admin do everything', () => {
    for (const capability of Object.keys(ROLE_TABLE) as Capability[]) {
      expect(can('ADMIN', capability)).toBe(true);
    }
  });

  it('keeps sales read-only on campaigns but lets them enrol', () => {
    expect(can('SALES', 'campaigns.read')).toBe(true);
    expect(can('SALES', 'campaigns.edit')).toBe(false);
    expect(can('SALES', 'participants.manage')).toBe(true);
    expect(can('SALES', 'participants.import')).toBe(false);
    expect(can('SALES', 'reports.read')).toBe(true);
  });

  it('gives marketing the builder and ops no reports', () => {
    expect(can('MARKETING_MANAGER', 'campaigns.edit')).toBe(true);
    expect(can('OPS', 'reports.read')).toBe(false);
    expect(can('FINANCE', 'participants.manage')).toBe(false);
    expect(can(null, 'campaigns.read')).toBe(false);
  });

  it('names only schema roles', () => {
    for (const roles of Object.values(ROLE_TABLE)) {
      for (const role of roles) expect(ROLES).toContain(role);
    }
  });
});
