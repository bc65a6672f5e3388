import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { t } from '../i18n';
import { Page } from './Page';

export function NotFound() {
  return (
    <Page title={t('notFound.title')} ready>
      <Text>{t('notFound.body')}</Text>
      <Anchor component={Link} to="/campaigns">
        {t('notFound.back')}
      </Anchor>
    </Page>
  );
}
