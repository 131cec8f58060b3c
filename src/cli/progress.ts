/**
 * Renders operation events on stderr: a redrawn progress line on a terminal, a log line
 * every few seconds otherwise (CI logs), nothing but warnings with --quiet.
 */
import type { Reporter, RipcordEvent, Totals } from '../domain/events.ts';
import { formatBytes, formatCount, formatDuration, terminalText } from './format.ts';

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  quiet: boolean;
  /** redraw a single line (a terminal) instead of printing log lines */
  interactive: boolean;
  now?: () => number;
}

export function createProgressReporter(options: ProgressOptions): Reporter & { finish(): void } {
  const { stream, quiet, interactive } = options;
  const now = options.now ?? Date.now;
  let drawn = false;
  let lastDraw = 0;
  let phaseStart = now();
  let lastLog = now();

  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };

  const describe = (phase: string, done: Totals, total: Totals | undefined): string => {
    const elapsed = Math.max(1, now() - phaseStart);
    const rate = (done.bytes / elapsed) * 1000;
    const parts = [phase];
    if (total && total.bytes > 0) {
      const fraction = Math.min(1, done.bytes / total.bytes);
      const width = 20;
      const filled = Math.round(fraction * width);
      if (interactive)
        parts.push(`[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`);
      parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`);
      parts.push(`${formatCount(done.files)}/${formatCount(total.files)} files`);
      parts.push(`${formatBytes(done.bytes)}/${formatBytes(total.bytes)}`);
      parts.push(`${formatBytes(rate)}/s`);
      if (rate > 0 && fraction < 1) parts.push(`ETA ${formatDuration(((total.bytes - done.bytes) / rate) * 1000)}`);
    } else {
      parts.push(`${formatCount(done.files)} files`, formatBytes(done.bytes), `${formatBytes(rate)}/s`);
    }
    return parts.join('  ');
  };

  return {
    wantsTotals: !quiet,
    emit(event: RipcordEvent) {
      switch (event.type) {
        case 'warning':
          clear();
          stream.write(`warning: ${terminalText(event.message)}\n`);
          return;
        case 'phase':
        case 'info':
          // On a terminal the message shows as the status line until the next one; in
          // logs it is left out, so that stderr carries only warnings, slow-progress
          // lines and, on failure, the one line that says what went wrong.
          if (event.type === 'phase') {
            phaseStart = now();
            lastLog = now();
          }
          if (quiet || !interactive) return;
          stream.write(`\r\x1b[2K${terminalText(event.message)}`);
          drawn = true;
          return;
        case 'progress': {
          if (quiet) return;
          const t = now();
          if (interactive) {
            if (t - lastDraw < 100) return;
            lastDraw = t;
            stream.write(`\r\x1b[2K${describe(event.phase, event.done, event.total)}`);
            drawn = true;
          } else if (t - lastLog >= 10_000) {
            lastLog = t;
            stream.write(`${describe(event.phase, event.done, event.total)}\n`);
          }
        }
      }
    },
    finish: clear,
  };
}
