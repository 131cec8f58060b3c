/**
 * The job summary: a heading and a two-column table, written only when the runner provides
 * the file. The summary is HTML inside Markdown, and its values quote the repository (tags,
 * problems) and commands' output (what failed): every heading and cell is escaped here,
 * as text, so that none of them can add markup, a link or an image, or end the table.
 */
import { htmlText } from '../domain/untrusted-text.ts';
import type { ActionIo } from './action-io.ts';

export type SummaryRow = [string, string];

export function summaryTable(rows: SummaryRow[]): SummaryRow[] {
  return rows;
}

export async function writeSummary(
  io: ActionIo,
  heading: string,
  rows: SummaryRow[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await io.writeSummary(
    htmlText(heading),
    rows.map(([k, v]) => [htmlText(k), htmlText(v)] as const),
  );
}
