// The period of a report or a comparison: two days (inclusive) or neither, for each campaign's
// default (from its start to today). The URL holds it; `onChange` gets both ends or neither.
import { DatePickerInput } from '@mantine/dates';
import { t } from '../../i18n';

export function PeriodPicker(props: {
  from: string | null;
  to: string | null;
  onChange: (period: { from: string | null; to: string | null }) => void;
}) {
  return (
    <DatePickerInput
      type="range"
      label={t('report.period')}
      placeholder={t('report.periodDefault')}
      value={[props.from, props.to]}
      onChange={([from, to]) => {
        if ((from && to) || (!from && !to)) props.onChange({ from, to });
      }}
      clearable
      clearButtonProps={{ 'aria-label': t('field.clear', { label: t('report.period') }) }}
      valueFormat="YYYY-MM-DD"
      miw={240}
    />
  );
}
