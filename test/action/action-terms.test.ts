import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inActionTerms } from '../../src/action/action-terms.ts';

test('a flag the Action has as an input is named as that input, the passphrase file as the passphrase input', () => {
  assert.is(
    inActionTerms('no encryption key configured: set RIPCORD_PASSPHRASE (or --passphrase-file) or RIPCORD_RECIPIENTS'),
    'no encryption key configured: set the passphrase input (or RIPCORD_PASSPHRASE) or RIPCORD_RECIPIENTS',
  );
  assert.is(
    inActionTerms('refusing (use --allow-unsigned to restore it)'),
    'refusing (use input allow-unsigned to restore it)',
  );
  assert.is(
    inActionTerms('give --restore-capture db=CMD or --new-key'),
    'give input restore-capture db=CMD or input new-key',
  );
  assert.is(inActionTerms('trust it with --trusted-signer FPR'), 'trust it with input trusted-signers FPR');
});

test('a flag the Action has no input for stays as it is, and a suggested ripcord command line is marked as one for a shell', () => {
  assert.is(inActionTerms('add --skip-captures'), 'add --skip-captures');
  assert.is(
    inActionTerms('the files could not be restored; restore by hand: ripcord restore X --target /w --delete --yes'),
    'the files could not be restored; restore by hand: (in a shell, with the ripcord CLI) ripcord restore X --target /w --delete --yes',
  );
});

test.run();
