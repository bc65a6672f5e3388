// Mutations through one hook: the result's problem is classified once (errors.ts) and acted on
// here — VALIDATION fields go beside their inputs (Mantine `setFieldError`), FORBIDDEN/CONFLICT/…
// become a message, RATE_LIMITED holds the action for `retryAfter` seconds, INTERNAL shows the
// `errorId` to report. UNAUTHENTICATED is handled by the client (back to sign in).
import { notifications } from '@mantine/notifications';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useState } from 'react';
import { useMutation, type AnyVariables } from 'urql';
import { t } from '../i18n';
import { classifyError, resolveFieldPath, type ApiProblem, type FieldProblem } from './errors';

/** What a form offers the hook: which paths it shows, and where to put an error. */
export interface FieldSink {
  shows(path: string): boolean;
  setFieldError(path: string, message: string): void;
}

export interface RunOutcome<Data> {
  data: Data | null;
  problem: ApiProblem | null;
  /** Validation errors no input of the form shows (displayed by the form as a list). */
  unplaced: FieldProblem[];
}

export function problemMessage(problem: ApiProblem): string {
  switch (problem.kind) {
    case 'forbidden':
      return t('error.forbidden');
    case 'rateLimited':
      return t('error.rateLimited', { seconds: problem.retryAfter });
    case 'internal':
      return problem.errorId
        ? t('error.internalWithId', { id: problem.errorId })
        : t('error.internal');
    case 'network':
      return t('error.network');
    case 'unauthenticated':
      return t('auth.expired');
    case 'validation':
      return t('error.validation');
    case 'notFound':
      return t('error.notFound');
    case 'conflict':
      return t('error.conflict', { message: problem.message });
    case 'other':
      return t('error.other', { message: problem.message });
  }
}

export function useApiMutation<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
) {
  const [state, execute] = useMutation<Data, Variables>(document);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setTimeout(() => setWaitUntil(null), Math.max(0, waitUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [waitUntil]);

  const run = useCallback(
    async (variables: Variables, form?: FieldSink): Promise<RunOutcome<Data>> => {
      const result = await execute(variables);
      if (!result.error) {
        setProblem(null);
        return { data: result.data ?? null, problem: null, unplaced: [] };
      }
      const found = classifyError(result.error);
      setProblem(found);
      const unplaced: FieldProblem[] = [];
      if (found.kind === 'validation') {
        for (const field of found.fields) {
          const path = form ? resolveFieldPath(field.path, (p) => form.shows(p)) : null;
          if (form && path) form.setFieldError(path, field.message);
          else unplaced.push(field);
        }
        if (!form || unplaced.length > 0) {
          notifications.show({ color: 'red', message: problemMessage(found) });
        }
      } else if (found.kind === 'rateLimited') {
        setWaitUntil(Date.now() + found.retryAfter * 1000);
        notifications.show({ color: 'orange', message: problemMessage(found) });
      } else if (found.kind === 'internal') {
        notifications.show({ color: 'red', autoClose: false, message: problemMessage(found) });
      } else if (found.kind !== 'unauthenticated') {
        notifications.show({ color: 'red', message: problemMessage(found) });
      }
      return { data: null, problem: found, unplaced };
    },
    [execute],
  );

  return {
    run,
    fetching: state.fetching,
    problem,
    /** True while a RATE_LIMITED answer asks us to wait. */
    waiting: waitUntil !== null,
  };
}
