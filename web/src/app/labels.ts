// People's names for the schema's enums, from the message catalogue.
import type {
  AttributionModel,
  CampaignStatus,
  Channel,
  CohortKind,
  KpiMetric,
  KpiStatus,
  ReportGranularity,
  RewardKind,
  RewardSide,
  RewardTrigger,
  RewardType,
  Role,
} from '../graphql/generated/graphql';
import { t, type MessageKey } from '../i18n';

const ROLE: Record<Role, MessageKey> = {
  ADMIN: 'role.ADMIN',
  MARKETING_MANAGER: 'role.MARKETING_MANAGER',
  SALES: 'role.SALES',
  FINANCE: 'role.FINANCE',
  OPS: 'role.OPS',
};
const STATUS: Record<CampaignStatus, MessageKey> = {
  DRAFT: 'status.DRAFT',
  ACTIVE: 'status.ACTIVE',
  PAUSED: 'status.PAUSED',
  ENDED: 'status.ENDED',
};
export const CHANNELS: readonly Channel[] = [
  'EMAIL',
  'SMS',
  'SOCIAL',
  'QR',
  'WIDGET',
  'SALES',
  'DIRECT',
];
const CHANNEL: Record<Channel, MessageKey> = {
  EMAIL: 'channel.EMAIL',
  SMS: 'channel.SMS',
  SOCIAL: 'channel.SOCIAL',
  QR: 'channel.QR',
  WIDGET: 'channel.WIDGET',
  SALES: 'channel.SALES',
  DIRECT: 'channel.DIRECT',
};
export const KPI_METRICS: readonly KpiMetric[] = [
  'REFERRALS',
  'CONVERSIONS',
  'REVENUE_MINOR',
  'CONVERSION_RATE',
  'K_FACTOR',
  'PARTICIPATION_RATE',
  'NEW_CUSTOMERS',
];
const KPI_METRIC: Record<KpiMetric, MessageKey> = {
  REFERRALS: 'kpi.REFERRALS',
  CONVERSIONS: 'kpi.CONVERSIONS',
  REVENUE_MINOR: 'kpi.REVENUE_MINOR',
  CONVERSION_RATE: 'kpi.CONVERSION_RATE',
  K_FACTOR: 'kpi.K_FACTOR',
  PARTICIPATION_RATE: 'kpi.PARTICIPATION_RATE',
  NEW_CUSTOMERS: 'kpi.NEW_CUSTOMERS',
};
const KPI_STATUS: Record<KpiStatus, MessageKey> = {
  ACHIEVED: 'kpiStatus.ACHIEVED',
  ON_TRACK: 'kpiStatus.ON_TRACK',
  AT_RISK: 'kpiStatus.AT_RISK',
  MISSED: 'kpiStatus.MISSED',
  TOO_EARLY: 'kpiStatus.TOO_EARLY',
};
export const ATTRIBUTION_MODELS: readonly AttributionModel[] = ['FIRST_TOUCH', 'LAST_TOUCH'];
const ATTRIBUTION: Record<AttributionModel, MessageKey> = {
  FIRST_TOUCH: 'attribution.FIRST_TOUCH',
  LAST_TOUCH: 'attribution.LAST_TOUCH',
};
export const REWARD_SIDES: readonly RewardSide[] = ['REFERRER', 'REFEREE'];
const SIDE: Record<RewardSide, MessageKey> = { REFERRER: 'side.REFERRER', REFEREE: 'side.REFEREE' };
export const REWARD_TRIGGERS: readonly RewardTrigger[] = [
  'LEAD',
  'FIRST_PURCHASE',
  'EACH_PURCHASE',
];
const TRIGGER: Record<RewardTrigger, MessageKey> = {
  LEAD: 'trigger.LEAD',
  FIRST_PURCHASE: 'trigger.FIRST_PURCHASE',
  EACH_PURCHASE: 'trigger.EACH_PURCHASE',
};
export const REWARD_KINDS: readonly RewardKind[] = ['FIXED', 'PERCENT', 'TIERED'];
const KIND: Record<RewardKind, MessageKey> = {
  FIXED: 'kind.FIXED',
  PERCENT: 'kind.PERCENT',
  TIERED: 'kind.TIERED',
};
export const REWARD_TYPES: readonly RewardType[] = ['CASH', 'COUPON', 'CREDIT', 'GIFT_CARD'];
const TYPE: Record<RewardType, MessageKey> = {
  CASH: 'rewardType.CASH',
  COUPON: 'rewardType.COUPON',
  CREDIT: 'rewardType.CREDIT',
  GIFT_CARD: 'rewardType.GIFT_CARD',
};
const GRANULARITY: Record<ReportGranularity, MessageKey> = {
  DAY: 'granularity.DAY',
  WEEK: 'granularity.WEEK',
  MONTH: 'granularity.MONTH',
};
const COHORT: Record<CohortKind, MessageKey> = {
  REFERRED: 'cohort.REFERRED',
  ORGANIC: 'cohort.ORGANIC',
};

export const roleLabel = (v: Role) => t(ROLE[v]);
export const statusLabel = (v: CampaignStatus) => t(STATUS[v]);
export const channelLabel = (v: Channel) => t(CHANNEL[v]);
export const kpiMetricLabel = (v: KpiMetric) => t(KPI_METRIC[v]);
export const kpiStatusLabel = (v: KpiStatus) => t(KPI_STATUS[v]);
export const attributionLabel = (v: AttributionModel) => t(ATTRIBUTION[v]);
export const sideLabel = (v: RewardSide) => t(SIDE[v]);
export const triggerLabel = (v: RewardTrigger) => t(TRIGGER[v]);
export const kindLabel = (v: RewardKind) => t(KIND[v]);
export const rewardTypeLabel = (v: RewardType) => t(TYPE[v]);
export const granularityLabel = (v: ReportGranularity) => t(GRANULARITY[v]);
export const cohortLabel = (v: CohortKind) => t(COHORT[v]);

export const STATUS_COLOR: Record<CampaignStatus, string> = {
  DRAFT: 'gray',
  ACTIVE: 'green',
  PAUSED: 'yellow',
  ENDED: 'dark',
};
