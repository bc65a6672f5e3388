// CSV import: upload (GraphQL multipart request), progress polled from participantImport(id),
// the refused rows downloadable as CSV.
import { Alert, Button, FileInput, Fieldset, Group, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useClient, useQuery, type OperationResult } from 'urql';
import { saveText } from '../../app/download';
import { formatCount } from '../../format';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { toCsv } from '../csv';
import { ImportParticipantsMutation } from '../mutations';
import type { ImportErrorsQuery as ImportErrorsResult } from '../../graphql/generated/graphql';
import { ImportErrorsQuery, ParticipantImportQuery } from '../queries';

export function CsvImport(props: { campaignId: string; onDone: () => void }) {
  const client = useClient();
  const [file, setFile] = useState<File | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const upload = useApiMutation(ImportParticipantsMutation);
  const [progress, refresh] = useQuery({
    query: ParticipantImportQuery,
    variables: { id: importId ?? '' },
    pause: !importId,
    requestPolicy: 'network-only',
  });
  const current = progress.data?.participantImport;
  const finished = current?.state === 'DONE' || current?.state === 'FAILED';
  const { onDone } = props;

  useEffect(() => {
    if (!importId || finished || progress.fetching) return;
    const timer = setTimeout(() => refresh({ requestPolicy: 'network-only' }), 700);
    return () => clearTimeout(timer);
  }, [importId, finished, progress.fetching, progress.data, refresh]);

  useEffect(() => {
    if (finished) onDone();
  }, [finished, onDone]);

  const start = async () => {
    if (!file) return;
    setFileError(null);
    const outcome = await upload.run({ campaignId: props.campaignId, file });
    if (outcome.data) setImportId(outcome.data.importParticipants.id);
    const fileProblem = outcome.unplaced.find((p) => p.path === 'file');
    if (fileProblem) setFileError(fileProblem.message);
  };

  const downloadErrors = async () => {
    if (!importId) return;
    const rows: (string | number | null)[][] = [];
    let after: string | null = null;
    for (;;) {
      const r: OperationResult<ImportErrorsResult> = await client
        .query(
          ImportErrorsQuery,
          { id: importId, first: 100, after },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      const page = r.data?.participantImport.errors;
      if (!page) break;
      for (const e of page.nodes) rows.push([e.line, e.column ?? '', e.code, e.message]);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    saveText(
      toCsv(['line', 'column', 'code', 'message'], rows),
      `import-${importId}-errors.csv`,
      'text/csv',
    );
  };

  const total = current?.totalRows ?? 0;
  const percent =
    total > 0 && current ? Math.round((current.processedRows / total) * 100) : finished ? 100 : 0;

  return (
    <Fieldset legend={t('import.title')}>
      <Stack>
        <Text size="sm">{t('import.hint')}</Text>
        <Group align="flex-end" wrap="wrap">
          <FileInput
            label={t('import.file')}
            accept=".csv,text/csv"
            value={file}
            onChange={setFile}
            error={fileError}
            clearable
            clearButtonProps={{ 'aria-label': t('field.clear', { label: t('import.file') }) }}
            style={{ minWidth: 220 }}
          />
          <Button
            onClick={() => void start()}
            disabled={!file || upload.waiting}
            loading={upload.fetching}
          >
            {t('import.start')}
          </Button>
        </Group>
        {current ? (
          <Stack gap="xs" aria-live="polite">
            <Progress value={percent} aria-label={t('import.progress')} animated={!finished} />
            <Text size="sm">
              {t('import.status', {
                processed: formatCount(current.processedRows),
                total: typeof current.totalRows === 'number' ? formatCount(current.totalRows) : '?',
                imported: formatCount(current.importedRows),
                skipped: formatCount(current.skippedRows),
                failed: formatCount(current.failedRows),
              })}
            </Text>
            {current.state === 'FAILED' ? (
              <Alert color="red" role="alert">
                {t('import.failed', { reason: current.failure ?? '' })}
              </Alert>
            ) : null}
            {current.state === 'DONE' ? <Text size="sm">{t('import.done')}</Text> : null}
            {finished && current.failedRows > 0 ? (
              <Button
                variant="default"
                onClick={() => void downloadErrors()}
                style={{ alignSelf: 'flex-start' }}
              >
                {t('import.downloadErrors')}
              </Button>
            ) : null}
          </Stack>
        ) : null}
      </Stack>
    </Fieldset>
  );
}
