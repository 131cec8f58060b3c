/** --level, --full-every and --max-chain: what backup and deploy share of a snapshot's level. */
import type { BackupLevel } from '../../domain/chain.ts';
import { BACKUP_LEVELS, isBackupLevel, MAX_CHAIN } from '../../domain/chain.ts';
import { parseDuration } from '../../domain/duration.ts';
import { UsageError } from '../../domain/errors.ts';
import type { AutoPolicy } from '../../ops/incremental.ts';
import { DEFAULT_AUTO_POLICY } from '../../ops/incremental.ts';
import type { OptionSpecs, OptionValues } from '../command.ts';
import { stringOption } from '../command.ts';

export function levelOptions(defaultLevel: BackupLevel): OptionSpecs {
  return {
    level: {
      type: 'string',
      value: 'LEVEL',
      description:
        'full | incremental (what changed since the newest snapshot of the same paths and set) | differential (since the newest full one) | auto (incremental, full when --full-every or --max-chain says so)',
      default: defaultLevel,
    },
    'full-every': {
      type: 'string',
      value: 'DURATION',
      description: `--level auto: a full snapshot once the chain's full one is this old (default 7d)`,
    },
    'max-chain': {
      type: 'string',
      value: 'N',
      description: `--level auto: a full snapshot once the chain has N links after its full one (default ${DEFAULT_AUTO_POLICY.maxChain})`,
    },
  };
}

/** The level asked for and the auto policy, checked; the defaults where not given. */
export function levelFrom(values: OptionValues, defaultLevel: BackupLevel): { level: BackupLevel; auto: AutoPolicy } {
  const level = stringOption(values, 'level') ?? defaultLevel;
  if (!isBackupLevel(level)) throw new UsageError(`--level ${level}: give one of ${BACKUP_LEVELS.join(', ')}`);
  const auto = { ...DEFAULT_AUTO_POLICY };
  const fullEvery = stringOption(values, 'full-every');
  if (fullEvery !== undefined) {
    try {
      auto.fullEveryMs = parseDuration(fullEvery);
    } catch (error) {
      throw new UsageError(`--full-every ${fullEvery}: ${(error as Error).message}`);
    }
  }
  const maxChain = stringOption(values, 'max-chain');
  if (maxChain !== undefined) {
    const n = Number(maxChain);
    if (!Number.isInteger(n) || n < 1 || n > MAX_CHAIN - 1)
      throw new UsageError(`--max-chain ${maxChain}: give a whole number from 1 to ${MAX_CHAIN - 1}`);
    auto.maxChain = n;
  }
  return { level, auto };
}
