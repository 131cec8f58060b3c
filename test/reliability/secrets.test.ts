/**
 * Secrets: every command, the monitoring outputs and the Action entry points, with a
 * recognisable passphrase and private key; the secret must appear nowhere, and local
 * repositories hold 0600 files in 0700 folders.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeViolations, explain, removeDir, Rng, startS3World, tempDir } from './harness.ts';
import type { TrialOutcome } from './harness.ts';
import { secretsTrial } from './secrets-trials.ts';

const SEED = process.env.RIPCORD_RELIABILITY_SEED ?? 'ripcord-ci-1';

let run: Promise<TrialOutcome> | undefined;
function outcome(): Promise<TrialOutcome> {
  run ??= (async () => {
    const dir = await tempDir('ripcord-reliability-secrets-');
    const s3 = await startS3World();
    try {
      const result = await secretsTrial(dir, new Rng(`${SEED}/secrets`), { s3 });
      explain(result);
      return result;
    } finally {
      await s3.stop();
      await removeDir(dir);
    }
  })();
  return run;
}

test('every command (successes, failures, --debug, --json), the reports, metrics, webhook and Pushgateway, audit records and the Action entry points: the passphrase and the private key appear nowhere', async () => {
  const result = await outcome();
  assert.is(
    describeViolations(result, (i) => i === 'scenario-ran-as-planned'),
    '',
    'the scenario did not run as planned, so the search would prove little',
  );
  assert.is(
    describeViolations(result, (i) => i === 'secret-never-appears'),
    '',
  );
  assert.ok(
    (result.counts['files searched'] ?? 0) > 50 && (result.counts['output streams searched'] ?? 0) > 50,
    JSON.stringify(result.counts),
  );
});

test('local repositories hold snapshot files with mode 0600 in folders with mode 0700 (the CLI and the Action run under umask 000)', async () => {
  const result = await outcome();
  assert.is(
    describeViolations(result, (i) => i === 'files-0600' || i === 'folders-0700'),
    '',
  );
  assert.ok((result.counts['repository files checked'] ?? 0) > 20, JSON.stringify(result.counts));
});

test.run();
