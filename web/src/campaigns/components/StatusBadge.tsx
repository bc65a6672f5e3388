import { Badge } from '@mantine/core';
import type { CampaignStatus } from '../../graphql/generated/graphql';
import { STATUS_COLOR, statusLabel } from '../../app/labels';

export function StatusBadge(props: { status: CampaignStatus }) {
  return <Badge color={STATUS_COLOR[props.status]}>{statusLabel(props.status)}</Badge>;
}
