import { Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { t } from '../i18n';

/**
 * A wide table scrolls inside its own box (never the page, down to 390 px). The box takes focus
 * so keyboard users can scroll it too.
 */
export function ScrollTable(props: { minWidth: number; children: ReactNode; label?: string }) {
  return (
    <Table.ScrollContainer
      type="native"
      minWidth={props.minWidth}
      tabIndex={0}
      role="region"
      aria-label={props.label ?? t('state.table')}
    >
      {props.children}
    </Table.ScrollContainer>
  );
}
