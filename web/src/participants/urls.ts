// Typed URLs of the participant screens (per campaign).
import { writePage, type PageParams } from '../app/paging';

export const participantUrls = {
  list(campaignId: string, params: { page?: PageParams; q?: string } = {}): string {
    let search = new URLSearchParams();
    if (params.q) search.set('q', params.q);
    if (params.page) search = writePage(search, params.page);
    const query = search.toString();
    const base = `/campaigns/${encodeURIComponent(campaignId)}/participants`;
    return query ? `${base}?${query}` : base;
  },
  links(campaignId: string, participantId: string, enrolmentId?: string): string {
    const base = `/campaigns/${encodeURIComponent(campaignId)}/participants/${encodeURIComponent(participantId)}`;
    return enrolmentId ? `${base}?enrolment=${encodeURIComponent(enrolmentId)}` : base;
  },
  /** Same-origin QR image of a code (`/qr/{code}.png|.svg`, api/src/http/redirect.rs). */
  qr(code: string, format: 'png' | 'svg'): string {
    return `/qr/${encodeURIComponent(code)}.${format}`;
  },
};
