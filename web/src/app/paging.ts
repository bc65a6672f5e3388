// Cursor pagination kept in the URL. The API pages forward only (`first`/`after`), so the URL
// carries the current cursor (`after`) and the cursors of the pages before it (`trail`, repeated),
// which makes "previous" and a shared link work.

export interface PageParams {
  after: string | null;
  trail: string[];
}

/** The marker for "the first page" inside a trail (its cursor is none). */
const FIRST = '-';

export function readPage(search: URLSearchParams): PageParams {
  return {
    after: search.get('after'),
    trail: search.getAll('trail'),
  };
}

export function writePage(search: URLSearchParams, page: PageParams): URLSearchParams {
  const next = new URLSearchParams(search);
  next.delete('after');
  next.delete('trail');
  if (page.after) next.set('after', page.after);
  for (const cursor of page.trail) next.append('trail', cursor);
  return next;
}

export function nextPage(page: PageParams, endCursor: string): PageParams {
  return { after: endCursor, trail: [...page.trail, page.after ?? FIRST] };
}

export function previousPage(page: PageParams): PageParams {
  const trail = page.trail.slice(0, -1);
  const last = page.trail[page.trail.length - 1];
  return { after: last === undefined || last === FIRST ? null : last, trail };
}

export function pageNumber(page: PageParams): number {
  return page.trail.length + 1;
}
