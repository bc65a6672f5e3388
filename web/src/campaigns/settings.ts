// The campaign settings form's values and their conversion to and from the API's inputs.
// Form keys are the input's own names (so server field errors land on them); amounts are typed in
// major units, the holdout in percent, dates as local time in the campaign's time zone.
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import { decimalToMinor, minorToDecimal, currencyExponent } from '../format';
import type {
  AttributionModel,
  CampaignFieldsFragment,
  CreateCampaignInput,
  KpiMetric,
} from '../graphql/generated/graphql';

dayjs.extend(utc);
dayjs.extend(timezone);

export interface KpiValues {
  metric: KpiMetric | null;
  target: number | string;
  due: string | null;
}
export interface ObjectiveValues {
  name: string;
  kpis: KpiValues[];
}
export interface FocusAreaValues {
  name: string;
  objectives: ObjectiveValues[];
}

export interface SettingsValues {
  [key: string]: unknown;
  name: string;
  description: string;
  startsAt: string | null;
  endsAt: string | null;
  timeZone: string;
  currency: string;
  budgetMinor: string;
  attributionWindowDays: number | string;
  attributionModel: AttributionModel | null;
  holdDays: number | string;
  landingUrl: string;
  holdoutBps: number | string;
  audience: {
    tagsAny: string[];
    tagsAll: string[];
    minOrders: number | string;
    countries: string[];
  };
  goals: FocusAreaValues[];
}

/** What DateInput holds: `YYYY-MM-DD HH:mm:ss`, local to the campaign's zone. */
export const LOCAL_FORMAT = 'YYYY-MM-DD HH:mm:ss';

export function parseLocalDateTime(text: string): string | null {
  const match = /^\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?\s*$/.exec(text);
  if (!match) return null;
  const [, day, hours = '0', minutes = '00'] = match;
  const value = `${day} ${hours.padStart(2, '0')}:${minutes}:00`;
  return dayjs(value).isValid() ? value : null;
}

function zoneOrUtc(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** Local wall time in `zone` → RFC 3339 (UTC). An unknown zone reads as UTC (the server says why). */
export function localToIso(local: string, zone: string): string {
  return dayjs.tz(local, LOCAL_FORMAT, zoneOrUtc(zone)).toISOString();
}

export function isoToLocal(iso: string, zone: string): string {
  return dayjs(iso).tz(zoneOrUtc(zone)).format(LOCAL_FORMAT);
}

export function emptySettings(): SettingsValues {
  const start = dayjs().add(1, 'hour').startOf('hour');
  return {
    name: '',
    description: '',
    startsAt: start.format(LOCAL_FORMAT),
    endsAt: null,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    currency: 'EUR',
    budgetMinor: '',
    attributionWindowDays: 30,
    attributionModel: 'FIRST_TOUCH',
    holdDays: 14,
    landingUrl: '',
    holdoutBps: 0,
    audience: { tagsAny: [], tagsAll: [], minOrders: '', countries: [] },
    goals: [],
  };
}

export function settingsFromCampaign(c: CampaignFieldsFragment): SettingsValues {
  return {
    name: c.name,
    description: c.description,
    startsAt: isoToLocal(c.startsAt, c.timeZone),
    endsAt: c.endsAt ? isoToLocal(c.endsAt, c.timeZone) : null,
    timeZone: c.timeZone,
    currency: c.currency,
    budgetMinor: c.budget ? minorToDecimal(c.budget.amountMinor, currencyExponent(c.currency)) : '',
    attributionWindowDays: c.attributionWindowDays,
    attributionModel: c.attributionModel,
    holdDays: c.holdDays,
    landingUrl: c.landingUrl ?? '',
    holdoutBps: c.holdoutBps / 100,
    audience: {
      tagsAny: c.audience.tagsAny,
      tagsAll: c.audience.tagsAll,
      minOrders: c.audience.minOrders ?? '',
      countries: c.audience.countries,
    },
    goals: c.goals.map((g) => ({
      name: g.name,
      objectives: g.objectives.map((o) => ({
        name: o.name,
        kpis: o.kpis.map((k) => ({ metric: k.metric, target: k.target, due: k.due })),
      })),
    })),
  };
}

export type ClientErrors = Record<string, string>;

const wholeNumber = (v: number | string): number | null =>
  typeof v === 'number' && Number.isInteger(v) ? v : null;

/**
 * The input to send, or the fields that cannot be sent at all (empty required values, text
 * where a number goes). Ranges and formats are left to the server, which names the field.
 */
export function toCampaignInput(
  v: SettingsValues,
  messages: { required: string; notANumber: string },
): { input: CreateCampaignInput } | { errors: ClientErrors } {
  const errors: ClientErrors = {};
  if (!v.startsAt) errors.startsAt = messages.required;
  if (!v.attributionModel) errors.attributionModel = messages.required;
  const window = wholeNumber(v.attributionWindowDays);
  if (window === null) errors.attributionWindowDays = messages.notANumber;
  const hold = wholeNumber(v.holdDays);
  if (hold === null) errors.holdDays = messages.notANumber;
  const holdout = typeof v.holdoutBps === 'number' ? Math.round(v.holdoutBps * 100) : null;
  if (holdout === null) errors.holdoutBps = messages.notANumber;
  let budget: string | null = null;
  if (v.budgetMinor.trim() !== '') {
    budget = decimalToMinor(v.budgetMinor, v.currency);
    if (budget === null) errors.budgetMinor = messages.notANumber;
  }
  const minOrders = v.audience.minOrders === '' ? null : wholeNumber(v.audience.minOrders);
  if (v.audience.minOrders !== '' && minOrders === null)
    errors['audience.minOrders'] = messages.notANumber;
  v.goals.forEach((g, gi) =>
    g.objectives.forEach((o, oi) =>
      o.kpis.forEach((k, ki) => {
        const at = `goals.${gi}.objectives.${oi}.kpis.${ki}`;
        if (!k.metric) errors[`${at}.metric`] = messages.required;
        if (typeof k.target !== 'number') errors[`${at}.target`] = messages.notANumber;
        if (!k.due) errors[`${at}.due`] = messages.required;
      }),
    ),
  );
  if (Object.keys(errors).length > 0) return { errors };
  const zone = v.timeZone.trim();
  return {
    input: {
      name: v.name,
      description: v.description,
      startsAt: localToIso(v.startsAt ?? '', zone),
      endsAt: v.endsAt ? localToIso(v.endsAt, zone) : null,
      timeZone: zone,
      currency: v.currency.trim(),
      budgetMinor: budget,
      attributionWindowDays: window ?? 0,
      attributionModel: v.attributionModel ?? 'FIRST_TOUCH',
      holdDays: hold ?? 0,
      landingUrl: v.landingUrl.trim() === '' ? null : v.landingUrl.trim(),
      holdoutBps: holdout ?? 0,
      audience: {
        tagsAny: v.audience.tagsAny,
        tagsAll: v.audience.tagsAll,
        minOrders,
        countries: v.audience.countries,
      },
      goals: v.goals.map((g) => ({
        name: g.name,
        objectives: g.objectives.map((o) => ({
          name: o.name,
          kpis: o.kpis.map((k) => ({
            metric: k.metric ?? 'REFERRALS',
            target: typeof k.target === 'number' ? k.target : 0,
            due: k.due ?? '',
          })),
        })),
      })),
    },
  };
}
