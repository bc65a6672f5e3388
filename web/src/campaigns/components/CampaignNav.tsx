// The links between one campaign's screens, gated by the role table.
import { Anchor, Group } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { useCan } from '../../auth/useSession';
import { t } from '../../i18n';
import { participantUrls } from '../../participants/urls';
import { reportUrls } from '../../reports/urls';
import { campaignUrls } from '../urls';

export function CampaignNav(props: { id: string; status?: string }) {
  const location = useLocation();
  const canEdit = useCan('campaigns.edit');
  const canEnrol = useCan('participants.manage');
  const canReport = useCan('reports.read');
  const links = [
    { to: campaignUrls.detail(props.id), label: t('campaignNav.overview'), show: true },
    {
      to: campaignUrls.edit(props.id),
      label: t('campaignNav.edit'),
      show: canEdit && props.status !== 'ENDED',
    },
    { to: participantUrls.list(props.id), label: t('campaignNav.participants'), show: canEnrol },
    { to: reportUrls.campaign(props.id), label: t('campaignNav.report'), show: canReport },
  ];
  return (
    <Group component="nav" aria-label={t('campaignNav.label')} gap="md">
      <Anchor component={Link} to={campaignUrls.list()} size="sm">
        {t('campaignNav.back')}
      </Anchor>
      {links
        .filter((l) => l.show)
        .map((l) => (
          <Anchor
            key={l.to}
            component={Link}
            to={l.to}
            size="sm"
            fw={location.pathname === l.to.split('?')[0] ? 700 : 400}
            aria-current={location.pathname === l.to.split('?')[0] ? 'page' : undefined}
          >
            {l.label}
          </Anchor>
        ))}
    </Group>
  );
}
