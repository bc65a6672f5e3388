// A `fetch` for the urql client that gives a request answered UNAUTHENTICATED one more chance:
// when it carried a bearer token, a new token is asked for (`renew`: single-flight, so a burst of
// failing requests shares one `refreshSession`) and the request is sent again with it. Only when
// that fails does the answer reach urql, whose UNAUTHENTICATED handling ends the session
// ("session expired"). Requests without a token (sign-in itself) are passed through untouched.
import { classifyGraphQLError } from './errors';

export interface AuthFetchDeps {
  fetch: typeof fetch;
  /** The token to retry with after `used` was refused, or null to give up. */
  renew: (used: string) => Promise<string | null>;
}

function bearerOf(headers: Headers): string | null {
  const value = headers.get('authorization');
  const match = value ? /^Bearer (.+)$/i.exec(value) : null;
  return match?.[1] ?? null;
}

/** Whether a GraphQL-over-HTTP answer says the caller is not authenticated. */
export async function isUnauthenticated(response: Response): Promise<boolean> {
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type)) return false;
  try {
    const body: unknown = await response.clone().json();
    if (!body || typeof body !== 'object') return false;
    const errors = (body as { errors?: unknown }).errors;
    if (!Array.isArray(errors) || errors.length === 0) return false;
    const first: unknown = errors[0];
    if (!first || typeof first !== 'object') return false;
    const { message, extensions } = first as { message?: unknown; extensions?: unknown };
    return (
      classifyGraphQLError({
        message: typeof message === 'string' ? message : '',
        extensions:
          extensions && typeof extensions === 'object'
            ? (extensions as Record<string, unknown>)
            : null,
      }).kind === 'unauthenticated'
    );
  } catch {
    return false;
  }
}

export function createAuthFetch(deps: AuthFetchDeps): typeof fetch {
  return async (input, init) => {
    const response = await deps.fetch(input, init);
    const headers = new Headers(init?.headers);
    const used = bearerOf(headers);
    if (!used || !(await isUnauthenticated(response))) return response;
    const token = await deps.renew(used);
    if (!token) return response;
    headers.set('authorization', `Bearer ${token}`);
    return deps.fetch(input, { ...init, headers });
  };
}
