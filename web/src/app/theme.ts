import { Badge, createTheme } from '@mantine/core';

/**
 * Shade 8 keeps white text on primary buttons above 4.5:1. Badges are light with black text:
 * white on green/yellow/orange fills fails WCAG AA at badge size whatever the shade.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  defaultRadius: 'sm',
  components: {
    Badge: Badge.extend({
      defaultProps: { variant: 'light' },
      // Never cut to an ellipsis inside a narrow table cell.
      styles: {
        root: { flexShrink: 0 },
        label: { color: 'var(--mantine-color-black)', overflow: 'visible' },
      },
    }),
  },
});
