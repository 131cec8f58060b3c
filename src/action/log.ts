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
import * as core from '@actions/core';
import { actionLogText, escapeControls } from '../domain/untrusted-text.ts';

/** A plain log line. */
export function logInfo(text: string): void {
  core.info(actionLogText(text));
}

/** A warning annotation; the runner's own escaping keeps it on one line, this keeps it literal. */
export function logWarning(text: string): void {
  core.warning(escapeControls(text));
}

export function logNotice(text: string): void {
  core.notice(escapeControls(text));
}

/** The step's one `::error::` line, and the step fails. */
export function logFailure(text: string): void {
  core.setFailed(escapeControls(text));
}
