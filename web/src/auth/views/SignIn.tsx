import {
  Alert,
  Button,
  Container,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { useFieldSink } from '../../app/fields';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { LoginMutation } from '../mutations';
import { session } from '../session';
import { authUrls } from '../urls';

export function SignIn() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const expired = search.get('reason') === 'expired';
  const signedOut = search.get('reason') === 'signedOut';
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (v.trim() ? null : t('auth.emailRequired')),
      password: (v) => (v ? null : t('auth.passwordRequired')),
    },
  });
  const sink = useFieldSink(form);
  const login = useApiMutation(LoginMutation);

  const submit = form.onSubmit(async (values) => {
    const outcome = await login.run(
      { email: values.email.trim(), password: values.password },
      sink,
    );
    if (outcome.data) {
      session.start(outcome.data.login);
      void navigate(authUrls.safeNext(search.get('next')), { replace: true });
    } else if (outcome.problem?.kind === 'unauthenticated') {
      form.setFieldError('password', t('auth.badCredentials'));
    }
  });

  return (
    <main data-ready="true" data-path={pathname}>
      <Container size={420} py="xl">
        <Title order={1} ta="center" mb="lg">
          {t('app.name')}
        </Title>
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={submit} noValidate>
            <Stack>
              <Title order={2} size="h3">
                {t('auth.title')}
              </Title>
              {expired ? (
                <Alert color="orange" role="alert" title={t('auth.expiredTitle')}>
                  {t('auth.expired')}
                </Alert>
              ) : null}
              {signedOut ? <Alert color="blue">{t('auth.signedOut')}</Alert> : null}
              <TextInput
                label={t('auth.email')}
                type="email"
                autoComplete="username"
                required
                {...form.getInputProps(sink.track('email'))}
              />
              <PasswordInput
                label={t('auth.password')}
                autoComplete="current-password"
                required
                {...form.getInputProps(sink.track('password'))}
              />
              <Button type="submit" loading={login.fetching} disabled={login.waiting}>
                {t('auth.submit')}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Container>
    </main>
  );
}
