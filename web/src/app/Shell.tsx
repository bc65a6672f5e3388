import { AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { Suspense, useState } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { can } from '../auth/roles';
import { session } from '../auth/session';
import { useSession } from '../auth/useSession';
import { t } from '../i18n';
import { activeMenuEntry, MENU } from './menu';
import { Loading } from './Page';
import { roleLabel } from './labels';

export function Shell() {
  const current = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const role = current?.user.role;
  const entries = MENU.filter((entry) => can(role, entry.capability));
  const active = activeMenuEntry(location.pathname, entries);
  const [signingOut, setSigningOut] = useState(false);

  // The server ends the session (and its cookie) first, so a reload cannot bring it back; the
  // token in memory goes either way, and RequireAuth then shows the sign-in page.
  const signOut = async () => {
    setSigningOut(true);
    const told = await session.signOut();
    if (!told) {
      notifications.show({
        color: 'orange',
        autoClose: false,
        message: t('auth.signOutUnconfirmed'),
      });
    }
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('nav.toggle')}
            />
            <Text fw={700}>{t('app.name')}</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {role ? (
              <Badge variant="light" visibleFrom="xs">
                {roleLabel(role)}
              </Badge>
            ) : null}
            <Button size="xs" variant="default" loading={signingOut} onClick={signOut}>
              {t('auth.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.label')}>
        <Stack gap={4} component="nav" aria-label={t('nav.label')}>
          {entries.map((entry) =>
            entry.external ? (
              <NavLink key={entry.to} href={entry.to} label={t(entry.label)} target="_blank" />
            ) : (
              <NavLink
                key={entry.to}
                component={RouterLink}
                to={entry.to}
                end
                label={t(entry.label)}
                active={entry === active}
                onClick={close}
              />
            ),
          )}
          {current ? (
            <Text size="xs" c="dimmed" mt="md">
              {t('nav.signedInAs', { name: current.user.name, email: current.user.email })}
            </Text>
          ) : null}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
