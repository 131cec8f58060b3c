/**
 * The Action's runtime, passed in as actions/cache passes its state provider: inputs,
 * outputs, state, the log and the job summary. `coreActionIo` is the runner's, through
 * @actions/core; everything else in action/ talks to an ActionIo.
 */
import * as core from '@actions/core';

export interface ActionIo {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  /** for the post step, which reads it back with getState */
  saveState(name: string, value: string): void;
  getState(name: string): string;
  /** mask a value in every later log line */
  setSecret(value: string): void;
  /** a collapsible section of the log around `body` */
  group<T>(name: string, body: () => Promise<T>): Promise<T>;
  info(line: string): void;
  warning(line: string): void;
  notice(line: string): void;
  debug(line: string): void;
  /** the step's `::error::` line; the step fails */
  setFailed(line: string): void;
  /** a heading and a what/value table appended to the job summary, cells already escaped */
  writeSummary(heading: string, rows: readonly (readonly [string, string])[]): Promise<void>;
}

export const coreActionIo: ActionIo = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (name, value) => core.saveState(name, value),
  getState: (name) => core.getState(name),
  setSecret: (value) => core.setSecret(value),
  group: (name, body) => core.group(name, body),
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  notice: (line) => core.notice(line),
  debug: (line) => core.debug(line),
  setFailed: (line) => core.setFailed(line),
  async writeSummary(heading, rows) {
    await core.summary
      .addHeading(heading, 3)
      .addTable([
        [
          { data: 'what', header: true },
          { data: 'value', header: true },
        ],
        ...rows.map(([k, v]) => [k, v]),
      ])
      .write();
  },
};
