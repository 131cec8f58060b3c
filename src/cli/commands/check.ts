import { parseDuration } from '../../domain/duration.ts';
import { checkFreshness } from '../../ops/check.ts';
import type { Command } from '../command.ts';
import { listOption, stringOption, TAG_OPTION } from '../command.ts';
import { SET_OPTION } from '../config-file.ts';
import { summarizeSnapshot } from '../../domain/run-record.ts';
import { formatAge } from '../../domain/wording.ts';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Fail when the newest snapshot is too old or does not verify (for cron monitors).',
  usage: 'ripcord check [options] --max-age DURATION',
  description:
    'Exit 0 when the newest snapshot (narrowed by --kind/--tag) is younger than --max-age and its stored objects verify; otherwise one line on stderr and exit 1. Needs no key.',
  options: {
    'max-age': {
      type: 'string',
      value: 'DURATION',
      description: 'oldest acceptable age of the newest snapshot (26h, 2d)',
      default: '26h',
    },
    kind: { type: 'string', value: 'KIND', description: 'only snapshots of this kind' },
    tag: { ...TAG_OPTION, description: 'only snapshots carrying these tags' },
    set: {
      ...SET_OPTION,
      description: `${SET_OPTION.description}: checks the set's newest snapshot (tag set:NAME) against its max-age`,
    },
  },
  examples: [
    'ripcord check --max-age 26h --kind scheduled',
    'ripcord check --max-age 2d --tag nightly || notify-oncall',
  ],
  async run(context, values) {
    const store = await context.openRepository();
    const result = await checkFreshness({
      store,
      maxAgeMs: parseDuration(stringOption(values, 'max-age') ?? '26h'),
      filter: { kind: stringOption(values, 'kind'), tags: listOption(values, 'tag') },
    });
    context.record({
      snapshots: [result.snapshot.id],
      snapshot: summarizeSnapshot(result.snapshot),
      details: { ageSeconds: Math.round(result.ageMs / 1000) },
    });
    if (context.json)
      context.printJson({ ok: true, snapshot: result.snapshot.id, ageSeconds: Math.round(result.ageMs / 1000) });
    else context.print(`ok: newest snapshot ${result.snapshot.id} is ${formatAge(result.ageMs)} old and verifies`);
    return 0;
  },
};
