import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  classifyError,
  classifyGraphQLError,
  normaliseFieldPath,
  resolveFieldPath,
} from './errors';

const err = (extensions: Record<string, unknown>, message = 'm') => ({ message, extensions });

describe('extensions.code mapping', () => {
  it('maps every code the API sends', () => {
    expect(classifyGraphQLError(err({ code: 'UNAUTHENTICATED' })).kind).toBe('unauthenticated');
    expect(classifyGraphQLError(err({ code: 'FORBIDDEN' })).kind).toBe('forbidden');
    expect(classifyGraphQLError(err({ code: 'NOT_FOUND' })).kind).toBe('notFound');
    expect(classifyGraphQLError(err({ code: 'CONFLICT' })).kind).toBe('conflict');
    expect(classifyGraphQLError(err({ code: 'GRAPHQL_VALIDATION_FAILED' }))).toEqual({
      kind: 'other',
      message: 'm',
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it('keeps the retry delay and the error id', () => {
    expect(classifyGraphQLError(err({ code: 'RATE_LIMITED', retryAfter: 7 }))).toEqual({
      kind: 'rateLimited',
      message: 'm',
      retryAfter: 7,
    });
    expect(classifyGraphQLError(err({ code: 'INTERNAL', errorId: 'abc' }))).toEqual({
      kind: 'internal',
      message: 'm',
      errorId: 'abc',
    });
  });

  it('returns validation fields as form paths', () => {
    const problem = classifyGraphQLError(
      err({
        code: 'VALIDATION',
        fields: [
          { field: 'ends_at', message: 'must be after the start date' },
          { field: 'budgetMinor', message: 'must be positive' },
        ],
      }),
    );
    expect(problem.kind === 'validation' && problem.fields.map((f) => f.path)).toEqual([
      'endsAt',
      'budgetMinor',
    ]);
  });

  it('merges the fields of several validation errors and reads network failures', () => {
    const combined = new CombinedError({
      graphQLErrors: [
        new GraphQLError('a', {
          extensions: { code: 'VALIDATION', fields: [{ field: 'name', message: 'x' }] },
        }),
        new GraphQLError('b', {
          extensions: { code: 'VALIDATION', fields: [{ field: 'currency', message: 'y' }] },
        }),
      ],
    });
    const problem = classifyError(combined);
    expect(problem.kind === 'validation' && problem.fields.length).toBe(2);
    expect(classifyError(new CombinedError({ networkError: new Error('offline') })).kind).toBe(
      'network',
    );
  });
});

describe('field paths', () => {
  it('normalises the server names', () => {
    expect(normaliseFieldPath('time_zone')).toBe('timeZone');
    expect(normaliseFieldPath('audience.tags_any[0]')).toBe('audience.tagsAny.0');
    expect(normaliseFieldPath('goals.focus_areas[0].objectives[1].kpis[2].target')).toBe(
      'goals.0.objectives.1.kpis.2.target',
    );
    expect(normaliseFieldPath('reward_rules[1].kind.bps')).toBe('rewardRules.1.kind.bps');
  });

  it('falls back to the nearest input shown', () => {
    const shown = new Set(['audience.countries', 'name']);
    expect(resolveFieldPath('audience.countries.1', (p) => shown.has(p))).toBe(
      'audience.countries',
    );
    expect(resolveFieldPath('name', (p) => shown.has(p))).toBe('name');
    expect(resolveFieldPath('other.x', (p) => shown.has(p))).toBeNull();
  });
});
