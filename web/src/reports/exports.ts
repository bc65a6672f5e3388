// The report exports need the bearer token (api/src/http/reports.rs reads only the
// Authorization header), so they are fetched and saved as a file rather than linked. A token
// refused as UNAUTHENTICATED gets one refresh and one retry, as GraphQL requests do.
import { saveBlob } from '../app/download';
import { session } from '../auth/session';
import { classifyGraphQLError, type ApiProblem } from '../graphql/errors';
import { reportUrls, type ReportParams } from './urls';

/** The problem an HTTP export's error answer names, or null when it is not one of ours. */
async function problemOf(response: Response): Promise<ApiProblem | null> {
  try {
    // HTTP exports answer `{ "error": { code, message, fields } }` (api/src/http/exports.rs).
    const body = (await response.json()) as {
      error?: { code: string; message: string; fields?: unknown };
    };
    const first = body.error;
    if (!first) return null;
    return classifyGraphQLError({
      message: first.message,
      extensions: { code: first.code, fields: first.fields },
    });
  } catch {
    return null; // not JSON
  }
}

export async function downloadReport(
  campaignId: string,
  format: 'csv' | 'html',
  params: ReportParams,
  fileName: string,
): Promise<ApiProblem | null> {
  const url = reportUrls.export(campaignId, format, params);
  const get = (token: string | null) =>
    fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  let response: Response;
  try {
    const token = session.token();
    response = await get(token);
    if (response.status === 401 && token) {
      const renewed = await session.renew(token);
      if (renewed) response = await get(renewed);
    }
  } catch (e) {
    return { kind: 'network', message: e instanceof Error ? e.message : String(e) };
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (!problem) return { kind: 'other', message: `HTTP ${response.status}`, code: null };
    if (problem.kind === 'unauthenticated') session.end('expired');
    return problem;
  }
  saveBlob(await response.blob(), fileName);
  return null;
}
