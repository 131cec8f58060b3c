import * as path from 'node:path';
import { UsageError } from '../../domain/errors.ts';
import { describeOrigin } from '../../ops/origin.ts';
import { applyRestore, planRestore, removeStaleStaging, undoCommand } from '../../ops/restore.ts';
import { parseCaptureSpec } from '../../ops/captures.ts';
import type { RestorePlan } from '../../ops/restore.ts';
import { repositorySkip } from '../../ops/backup.ts';
import type { Command } from '../command.ts';
import { FOLDER_OPTION, flag, listOption, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { formatDuration, formatTime, terminalText } from '../format.ts';
import { countOf } from '../../domain/wording.ts';
import { shellQuote } from '../../domain/shell-quote.ts';

const MARK = { add: '+', change: '~', remove: '-', unchanged: ' ' } as const;
const SHOWN = 50;

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a snapshot into a folder, safely (pre-restore snapshot first).',
  usage: 'ripcord restore [options] <id|latest> [--target DIR]',
  description: [
    'Shows what will change, asks (or needs --yes without a terminal), then:',
    '  1. extracts the snapshot into a staging folder inside the target and checks every file',
    '     against the manifest; nothing in the target changes if that fails;',
    '  2. takes a pre-restore snapshot of exactly what the restore changes, adds or removes',
    '     (its id is printed with the command that undoes the restore exactly); a target that',
    '     does not exist needs none: the restore creates it, and removing it undoes the restore;',
    '  3. moves files into place by rename, never writing through a symlink.',
    "Refuses the whole snapshot when an entry lies outside the snapshot's roots, would replace",
    'or enter the local repository, has an absolute path or "..", is a device or FIFO, holds',
    'more bytes than its manifest lists, or is a link that leads outside the target (judged',
    "by where it resolves, through the snapshot's links and the target's own). setuid/setgid",
    'bits are dropped. Restoring a pre-restore snapshot implies --delete.',
  ].join('\n'),
  options: {
    target: { ...FOLDER_OPTION, description: 'folder to restore into', default: 'the working directory' },
    include: {
      type: 'string',
      short: 'i',
      value: 'GLOB',
      multiple: true,
      description: 'restore only matching paths (and what is below them)',
    },
    exclude: { type: 'string', short: 'e', value: 'GLOB', multiple: true, description: 'leave matching paths alone' },
    delete: { type: 'boolean', description: 'remove files under the snapshot roots that the snapshot does not have' },
    'dry-run': { type: 'boolean', short: 'n', description: 'show what would change and change nothing' },
    checksum: {
      type: 'boolean',
      description:
        'compare every file in the target by content (otherwise a file whose size, mode, times and inode are what the snapshot read is left as it is, unread)',
    },
    yes: { type: 'boolean', short: 'y', description: 'apply without asking' },
    'no-pre-restore': {
      type: 'boolean',
      description: 'do not take the pre-restore snapshot (the restore cannot be undone)',
    },
    'restore-capture': {
      type: 'string',
      value: "NAME='CMD'",
      multiple: true,
      description: 'feed captured state NAME to CMD (sh -c) on stdin after the files are in place',
    },
    capture: {
      type: 'string',
      value: "NAME='CMD'",
      multiple: true,
      description: 'capture the current state NAME into the pre-restore snapshot too',
    },
    'allow-outside-symlinks': {
      type: 'boolean',
      description:
        'restore symlinks that lead outside the target, by their text or through other links (never followed)',
    },
  },
  examples: [
    'ripcord restore latest --target ./config --dry-run',
    'ripcord restore 20261122T143022.123Z-7f3a --yes --delete',
    'ripcord restore latest --include "config/*.yaml" --yes',
  ],
  async run(context, values, positionals) {
    const reference = positionals[0];
    if (!reference) throw new UsageError('which snapshot? give an id or latest (see ripcord list)');
    const target = path.resolve(context.cwd, stringOption(values, 'target') ?? '.');
    const store = await context.openRepository();
    const keys = await context.decryptionKeys();
    const noPreRestore = flag(values, 'no-pre-restore');
    const encryptionKeys = noPreRestore ? undefined : await context.preRestoreKeys();
    const plan = await planRestore({
      store,
      reference,
      target,
      include: listOption(values, 'include'),
      exclude: listOption(values, 'exclude'),
      delete: flag(values, 'delete'),
      keys,
      allowOutsideSymlinks: flag(values, 'allow-outside-symlinks'),
      protect: repositorySkip(context.repository, context.cwd),
      restoreCaptures: specs(values['restore-capture']).map((spec) => parseCaptureSpec(spec, '--restore-capture')),
      checksum: flag(values, 'checksum'),
    });
    context.record({
      snapshots: [plan.snapshot.id],
      dryRun: flag(values, 'dry-run'),
      details: { target, ...plan.counts },
    });
    const pending = plan.counts.add + plan.counts.change + plan.counts.remove + plan.captures.length;
    // --quiet with --yes asks for no plan: nobody is there to read it (a prompt or --dry-run still shows it)
    if (!context.json && !(context.quiet && flag(values, 'yes') && !flag(values, 'dry-run')))
      printPlan(context, plan, noPreRestore);
    if (pending === 0 && !flag(values, 'dry-run'))
      await removeStaleStaging(target, await describeOrigin(target, context.env));
    if (flag(values, 'dry-run') || pending === 0) {
      if (context.json) context.printJson({ dryRun: flag(values, 'dry-run'), ...describePlan(plan) });
      else
        context.print(
          pending === 0 ? 'nothing to do: the target already matches the snapshot' : 'dry run: nothing was changed',
        );
      return 0;
    }
    if (!flag(values, 'yes')) {
      if (!context.stdin.isTTY || context.env.CI === 'true') {
        throw new UsageError(
          `restore would change ${countOf(pending, 'entry', 'entries')} in ${target}: add --yes to apply (or --dry-run to only see the plan)`,
        );
      }
      // loaded here, not with the CLI: node:readline brings eight more built-in modules to every command's start
      const { createInterface } = await import('node:readline/promises');
      const prompt = createInterface({ input: context.stdin, output: context.stderr });
      const answer = await prompt.question(
        `Apply ${pending === 1 ? 'this change' : `these ${pending} changes`} to ${target}? [y/N] `,
      );
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        context.print('nothing was changed'); // a decision, not a failure
        return 0;
      }
    }
    const result = await applyRestore(plan, {
      store,
      keys,
      ...(encryptionKeys ? { encryptionKeys } : {}),
      origin: await describeOrigin(target, context.env),
      noPreRestore,
      preRestoreCaptures: specs(values.capture).map((spec) => parseCaptureSpec(spec, '--capture')),
      env: context.env,
      reporter: context.reporter,
    });
    context.record({
      snapshots: result.preRestoreSnapshot ? [result.preRestoreSnapshot.id] : [],
      timings: { restore: result.durationMs },
    });
    context.reporter.finish();
    if (context.json) {
      context.printJson({
        ...describePlan(plan),
        preRestoreSnapshot: result.preRestoreSnapshot?.id ?? null,
        createdTarget: result.createdTarget,
        durationMs: result.durationMs,
      });
      return 0;
    }
    context.print(`restored snapshot ${plan.snapshot.id} into ${target} in ${formatDuration(result.durationMs)}`);
    if (result.preRestoreSnapshot) {
      context.print(
        `pre-restore snapshot ${result.preRestoreSnapshot.id}; to undo: ${undoCommand(plan, result.preRestoreSnapshot)} --yes`,
      );
    } else if (result.createdTarget) {
      context.print(
        `${terminalText(target)} did not exist before, so no pre-restore snapshot was needed; to undo: rm -r ${terminalText(shellQuote(target))}`,
      );
    }
    return 0;
  },
};

function describePlan(plan: RestorePlan) {
  return {
    snapshot: plan.snapshot.id,
    target: plan.target,
    counts: plan.counts,
    scope: plan.scope,
    changes: plan.changes.filter((c) => c.action !== 'unchanged'),
  };
}

function printPlan(context: CliContext, plan: RestorePlan, noPreRestore: boolean): void {
  const { snapshot, counts } = plan;
  context.print(
    `restore snapshot ${snapshot.id} (${snapshot.kind}, ${formatTime(snapshot.created)}) into ${plan.target}`,
  );
  context.print(
    `  ${counts.add} to add, ${counts.change} to change, ${counts.remove} to remove, ${counts.unchanged} unchanged`,
  );
  const changes = plan.changes.filter((c) => c.action !== 'unchanged');
  for (const change of changes.slice(0, SHOWN)) {
    context.print(
      `  ${MARK[change.action]} ${terminalText(change.path)}${change.type === 'directory' ? '/' : ''}${change.what ? `  (${terminalText(change.what)})` : ''}`,
    );
  }
  if (changes.length > SHOWN) context.print(`  ... and ${changes.length - SHOWN} more (--json lists all)`);
  for (const { capture } of plan.captures) context.print(`  captured ${capture.name} is fed to: ${capture.command}`);
  if (plan.unrestoredCaptures.length) {
    context.print(`  captured state not restored (no --restore-capture): ${plan.unrestoredCaptures.join(', ')}`);
  }
  context.print(
    plan.newTarget
      ? '  the target does not exist: the restore creates it, and with nothing there to lose no pre-restore snapshot is taken (to undo, remove the folder)'
      : noPreRestore
        ? '  no pre-restore snapshot (--no-pre-restore): this restore cannot be undone'
        : `  a pre-restore snapshot of what changes (${describeScope(plan.scope)}) is taken first`,
  );
}

/** The pre-restore snapshot's paths, a few by name. */
function describeScope(scope: readonly string[]): string {
  if (scope.length === 0) return 'no files';
  const shown = scope
    .slice(0, 5)
    .map((name) => terminalText(name))
    .join(', ');
  return scope.length > 5 ? `${scope.length} paths: ${shown}, ...` : shown;
}

function specs(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}
