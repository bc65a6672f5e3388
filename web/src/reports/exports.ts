// The report exports need the bearer token (api/src/http/reports.rs reads only the
// Authorization header), so they are fetched and saved as a file rather than linked.
import { saveBlob } from '../app/download';
import { session } from '../auth/session';
import { classifyGraphQLError, type ApiProblem } from '../graphql/errors';
import { reportUrls, type ReportParams } from './urls';

export async function downloadReport(
  campaignId: string,
  format: 'csv' | 'html',
  params: ReportParams,
  fileName: string,
): Promise<ApiProblem | null> {
  const token = session.token();
  let response: Response;
  try {
    response = await fetch(reportUrls.export(campaignId, format, params), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (e) {
    return { kind: 'network', message: e instanceof Error ? e.message : String(e) };
  }
  if (!response.ok) {
    try {
      // HTTP exports answer `{ "error": { code, message, fields } }` (api/src/http/exports.rs).
      const body = (await response.json()) as {
        error?: { code: string; message: string; fields?: unknown };
      };
      const first = body.error;
      if (first) {
        const problem = classifyGraphQLError({
          message: first.message,
          extensions: { code: first.code, fields: first.fields },
        });
        if (problem.kind === 'unauthenticated') session.end('expired');
        return problem;
      }
    } catch {
      // not JSON: fall through
    }
    return { kind: 'other', message: `HTTP ${response.status}`, code: null };
  }
  saveBlob(await response.blob(), fileName);
  return null;
}
