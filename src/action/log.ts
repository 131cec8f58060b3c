/**
 * The Action's log: every line ripcord writes goes through here, made inert (see
 * domain/untrusted-text.ts), because many of them quote the repository: tags, problems,
 * lock holders, paths. No such line can start a workflow command (`::error::`,
 * `::add-mask::`, `##[set-output ...]`), and none carries a control character the log
 * viewer would act on. Escaping each line was chosen over wrapping output in
 * `::stop-commands::TOKEN`: while commands are stopped the runner also ignores ripcord's
 * own (a group, an annotation, a secret mask), and an escaped line is still one line.
 * The output of the user's own deploy, validate and hook commands is theirs and is passed
 * through as it is, as a `run:` step would show it.
 */
import { isRipcordError } from '../domain/errors.ts';
import { actionLogText, escapeControls } from '../domain/untrusted-text.ts';
import { inActionTerms } from './action-terms.ts';
import type { ActionIo } from './action-io.ts';

export interface ActionLog {
  /** a plain log line */
  info(text: string): void;
  /** a warning annotation; the runner's own escaping keeps it on one line, this keeps it literal */
  warning(text: string): void;
  notice(text: string): void;
  /** the step's one `::error::` line, and the step fails */
  failure(text: string): void;
}

export function actionLog(io: ActionIo): ActionLog {
  return {
    info: (text) => io.info(actionLogText(text)),
    warning: (text) => io.warning(escapeControls(text)),
    notice: (text) => io.notice(escapeControls(text)),
    failure: (text) => io.setFailed(escapeControls(text)),
  };
}

/** Fail the step with the message the CLI prints, in the Action's terms; an unexpected error says so. */
export function failStep(io: ActionIo, error: unknown): void {
  const log = actionLog(io);
  if (isRipcordError(error)) {
    log.failure(inActionTerms(error.message));
  } else {
    const message = error instanceof Error ? error.message : String(error);
    log.failure(`internal error: ${message} (re-run with debug logging and please report it)`);
    if (error instanceof Error && error.stack) io.debug(error.stack);
  }
}
