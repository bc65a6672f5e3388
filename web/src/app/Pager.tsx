import { Button, Group, Text } from '@mantine/core';
import { nextPage, pageNumber, previousPage, type PageParams } from './paging';
import { t } from '../i18n';

/** Previous / next over a cursor connection; the page lives in the URL (see paging.ts). */
export function Pager(props: {
  page: PageParams;
  hasNextPage: boolean;
  endCursor: string | null | undefined;
  onChange: (page: PageParams) => void;
  label: string;
}) {
  const number = pageNumber(props.page);
  return (
    <Group component="nav" aria-label={props.label} justify="space-between" gap="xs">
      <Button
        variant="default"
        disabled={number === 1}
        onClick={() => props.onChange(previousPage(props.page))}
      >
        {t('paging.previous')}
      </Button>
      <Text size="sm" aria-live="polite">
        {t('paging.page', { number })}
      </Text>
      <Button
        variant="default"
        disabled={!props.hasNextPage || !props.endCursor}
        onClick={() => {
          if (props.endCursor) props.onChange(nextPage(props.page, props.endCursor));
        }}
      >
        {t('paging.next')}
      </Button>
    </Group>
  );
}
