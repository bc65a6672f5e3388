import { Alert, Button, FileButton, List, Stack } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { FieldProblem } from '../../graphql/errors';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { ImportCampaignMutation } from '../mutations';
import { campaignUrls } from '../urls';

/** Creates a draft from a JSON design made by "Export design" (`importCampaign`). */
export function ImportDesign() {
  const navigate = useNavigate();
  const importCampaign = useApiMutation(ImportCampaignMutation);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [parseError, setParseError] = useState(false);

  const onFile = async (file: File | null) => {
    if (!file) return;
    setProblems([]);
    setParseError(false);
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch {
      setParseError(true);
      return;
    }
    const outcome = await importCampaign.run({ document });
    if (outcome.data) {
      void navigate(campaignUrls.detail(outcome.data.importCampaign.id));
    } else {
      setProblems(outcome.unplaced);
    }
  };

  return (
    <Stack gap="xs">
      <FileButton accept="application/json,.json" onChange={(f) => void onFile(f)}>
        {(props) => (
          <Button variant="default" loading={importCampaign.fetching} {...props}>
            {t('campaigns.importDesign')}
          </Button>
        )}
      </FileButton>
      {parseError ? (
        <Alert color="red" role="alert">
          {t('campaigns.importNotJson')}
        </Alert>
      ) : null}
      {problems.length > 0 ? (
        <Alert color="red" role="alert" title={t('campaigns.importRefused')}>
          <List size="sm">
            {problems.map((p) => (
              <List.Item key={`${p.field}:${p.message}`}>
                {p.field}: {p.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Stack>
  );
}
