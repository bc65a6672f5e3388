import { createTheme } from '@mantine/core';

/** Shade 8 of every colour keeps white text above 4.5:1; autoContrast picks dark text on light fills. */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  defaultRadius: 'sm',
});
