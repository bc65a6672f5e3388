import { describe, expect, it } from 'vitest';
import {
  emptySettings,
  isoToLocal,
  localToIso,
  parseLocalDateTime,
  toCampaignInput,
} from './settings';

const messages = { required: 'required', notANumber: 'nan' };

describe('campaign settings', () => {
  it('reads dates as wall time in the campaign zone', () => {
    expect(localToIso('2026-07-01 09:00:00', 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
    expect(isoToLocal('2026-07-01T07:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 09:00:00');
    expect(localToIso('2026-07-01 09:00:00', 'Not/AZone')).toBe('2026-07-01T09:00:00.000Z');
    expect(parseLocalDateTime('2026-07-01 9:05')).toBe('2026-07-01 09:05:00');
    expect(parseLocalDateTime('2026-07-01')).toBe('2026-07-01 00:00:00');
    expect(parseLocalDateTime('soon')).toBeNull();
  });

  it('converts money and percent', () => {
    const values = {
      ...emptySettings(),
      name: 'X',
      currency: 'EUR',
      budgetMinor: '1500.50',
      holdoutBps: 12.5,
    };
    const out = toCampaignInput(values, messages);
    expect('input' in out && out.input.budgetMinor).toBe('150050');
    expect('input' in out && out.input.holdoutBps).toBe(1250);
  });

  it('refuses what cannot be sent, by field', () => {
    const values = { ...emptySettings(), startsAt: null, attributionModel: null, holdDays: '' };
    const out = toCampaignInput(values, messages);
    expect('errors' in out && out.errors).toEqual({
      startsAt: 'required',
      attributionModel: 'required',
      holdDays: 'nan',
    });
  });
});
