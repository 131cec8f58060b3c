/** The job summary: a heading and a two-column table, written only when the runner provides the file. */
import * as core from '@actions/core';

export type SummaryRow = [string, string];

export function summaryTable(rows: SummaryRow[]): SummaryRow[] {
  return rows;
}

export async function writeSummary(heading: string, rows: SummaryRow[], env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await core.summary
    .addHeading(heading, 3)
    .addTable([[{ data: 'what', header: true }, { data: 'value', header: true }], ...rows.map(([k, v]) => [k, v])])
    .write();
}
