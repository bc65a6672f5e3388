// The one place that reads `extensions.code` (see api/src/error.rs for the shapes):
//   UNAUTHENTICATED → sign in again; FORBIDDEN → a message; VALIDATION → `extensions.fields`
//   ([{ field, message }]) to the form; RATE_LIMITED → wait `extensions.retryAfter` seconds;
//   INTERNAL → show `extensions.errorId` for people to report.
// Everything else in the app works from the `ApiProblem` this returns.
import type { CombinedError } from '@urql/core';

export interface FieldProblem {
  /** The server's field, normalised to a form path: `goals.0.objectives.1.kpis.0.target`. */
  path: string;
  /** The server's own name for it, e.g. `goals.focus_areas[0].objectives[1].kpis[0].target`. */
  field: string;
  message: string;
}

export type ApiProblem =
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'validation'; message: string; fields: FieldProblem[] }
  | { kind: 'rateLimited'; message: string; retryAfter: number }
  | { kind: 'internal'; message: string; errorId: string | null }
  | { kind: 'notFound'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'other'; message: string; code: string | null };

interface ErrorLike {
  message: string;
  extensions?: Record<string, unknown> | null;
}

function snakeToCamel(segment: string): string {
  return segment.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * `ends_at` → `endsAt`; `audience.tags_any[0]` → `audience.tagsAny.0`;
 * `goals.focus_areas[0].objectives[1].kpis[0].target` → `goals.0.objectives.1.kpis.0.target`
 * (the goals rule names its list `focus_areas`, which the input calls `goals`).
 */
export function normaliseFieldPath(field: string): string {
  const parts = field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '')
    .map(snakeToCamel);
  const out: string[] = [];
  for (const part of parts) {
    if (part === 'focusAreas' && out[out.length - 1] === 'goals') continue;
    out.push(part);
  }
  return out.join('.');
}

/**
 * The nearest path a form shows an input for: the path itself, or its parent (an error on
 * `audience.countries.1` belongs beside the countries input), up to the first segment.
 */
export function resolveFieldPath(path: string, shown: (path: string) => boolean): string | null {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n -= 1) {
    const candidate = parts.slice(0, n).join('.');
    if (shown(candidate)) return candidate;
  }
  return null;
}

function fieldsOf(extensions: Record<string, unknown>): FieldProblem[] {
  const list = extensions.fields;
  if (!Array.isArray(list)) return [];
  const out: FieldProblem[] = [];
  for (const item of list as unknown[]) {
    if (item && typeof item === 'object') {
      const { field, message } = item as { field?: unknown; message?: unknown };
      if (typeof field === 'string' && typeof message === 'string') {
        out.push({ field, message, path: normaliseFieldPath(field) });
      }
    }
  }
  return out;
}

/** Classifies one GraphQL error object (as in a response's `errors`). */
export function classifyGraphQLError(error: ErrorLike): ApiProblem {
  const ext = error.extensions ?? {};
  const code = typeof ext.code === 'string' ? ext.code : null;
  const message = error.message;
  switch (code) {
    case 'UNAUTHENTICATED':
      return { kind: 'unauthenticated', message };
    case 'FORBIDDEN':
      return { kind: 'forbidden', message };
    case 'VALIDATION':
      return { kind: 'validation', message, fields: fieldsOf(ext) };
    case 'RATE_LIMITED': {
      const retryAfter = typeof ext.retryAfter === 'number' ? ext.retryAfter : 1;
      return { kind: 'rateLimited', message, retryAfter };
    }
    case 'INTERNAL':
      return {
        kind: 'internal',
        message,
        errorId: typeof ext.errorId === 'string' ? ext.errorId : null,
      };
    case 'NOT_FOUND':
      return { kind: 'notFound', message };
    case 'CONFLICT':
      return { kind: 'conflict', message };
    default:
      return { kind: 'other', message, code };
  }
}

/** Classifies urql's combined error: the first GraphQL error decides, else the network. */
export function classifyError(error: CombinedError): ApiProblem {
  const first = error.graphQLErrors[0];
  if (first) {
    const problem = classifyGraphQLError(first);
    // Several VALIDATION errors (one per resolver) are merged, so the form sees every field.
    if (problem.kind === 'validation') {
      const fields = error.graphQLErrors
        .map(classifyGraphQLError)
        .flatMap((p) => (p.kind === 'validation' ? p.fields : []));
      return { ...problem, fields };
    }
    return problem;
  }
  return { kind: 'network', message: error.networkError?.message ?? error.message };
}
