import { Alert } from '@mantine/core';
import { Page } from '../../app/Page';
import { t } from '../../i18n';

/** Not built yet (next commit). */
export default function Screen() {
  return (
    <Page title={t('state.comingSoon')} ready>
      <Alert>{t('state.comingSoon')}</Alert>
    </Page>
  );
}
