// Binds Mantine form inputs and records which paths the form shows, so server field errors
// land beside the input they belong to (see useApiMutation).
import type { UseFormReturnType } from '@mantine/form';
import { useRef } from 'react';
import type { FieldSink } from '../graphql/useApiMutation';

export function useFieldSink<Values extends Record<string, unknown>>(
  form: UseFormReturnType<Values>,
): FieldSink & { track: (path: string) => string } {
  const shown = useRef(new Set<string>());
  return {
    track(path: string) {
      shown.current.add(path);
      return path;
    },
    shows(path: string) {
      return shown.current.has(path);
    },
    setFieldError(path: string, message: string) {
      form.setFieldError(path, message);
    },
  };
}
