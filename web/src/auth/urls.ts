export const authUrls = {
  /** The sign-in page; `next` is where to go afterwards, `expired` explains why they are here. */
  signIn(params: { next?: string | null; expired?: boolean } = {}): string {
    const search = new URLSearchParams();
    if (params.next && params.next.startsWith('/') && !params.next.startsWith('//')) {
      search.set('next', params.next);
    }
    if (params.expired) search.set('reason', 'expired');
    const query = search.toString();
    return query ? `/sign-in?${query}` : '/sign-in';
  },
  /** A `next` worth following: a path on this site, never another host. */
  safeNext(value: string | null): string {
    return value &&
      value.startsWith('/') &&
      !value.startsWith('//') &&
      !value.startsWith('/sign-in')
      ? value
      : '/campaigns';
  },
};
