/** Text from a repository made inert, and the labels a snapshot may carry. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/domain/errors.ts';
import type { RunRecord } from '../../src/domain/run-record.ts';
import { slackMessage } from '../../src/domain/run-record.ts';
import { checkLabels, tagProblem } from '../../src/domain/snapshot.ts';
import {
  actionLogText,
  escapeControls,
  escapeControlsKeepingLines,
  escapeJsonControls,
  htmlText,
  slackText,
} from '../../src/domain/untrusted-text.ts';

/** Every character a terminal, the runner or a log viewer acts on, one of each kind. */
const HOSTILE = 'a\nb\rc\td\x1b[2Je\x07f\x7fg\u009bh\u202ei\u2066j\u2028k\u0000l';
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test('escapeControls turns every control, separator and bidi character into a visible escape, and leaves other text alone', () => {
  assert.is(escapeControls(HOSTILE), 'a\\nb\\rc\\td\\x1b[2Je\\x07f\\x7fg\\x9bh\\u{202e}i\\u{2066}j\\u{2028}k\\x00l');
  assert.is(escapeControls('release/v1.2.3 env=prod été 日本 ✓'), 'release/v1.2.3 env=prod été 日本 ✓');
});

test('escapeControlsKeepingLines keeps newlines and escapes everything else', () => {
  const out = escapeControlsKeepingLines(HOSTILE);
  assert.is(out.split('\n').length, 2);
  assert.not.match(out.replace(/\n/g, ''), RAW_CONTROL);
});

test('escapeJsonControls leaves the same JSON value with no raw DEL, C1, separator or bidi character', () => {
  const json = JSON.stringify({ tag: HOSTILE }, null, 2);
  const out = escapeJsonControls(json);
  assert.not.match(out.replace(/\n/g, ''), RAW_CONTROL);
  assert.equal(JSON.parse(out), { tag: HOSTILE });
});

test('actionLogText yields one line that the runner cannot take for a workflow command, in either syntax', () => {
  for (const text of [
    '::error::forged',
    '  ::add-mask::x',
    '\u00a0\u3000::set-output name=a::b',
    'x\n::error::forged',
    'ok ##[error]forged',
    'ok ##[set-output name=a]b',
  ]) {
    const line = actionLogText(text);
    assert.not.ok(line.includes('\n') || line.includes('\r'), line);
    assert.not.match(line, /^\s*::/, line);
    assert.not.ok(line.includes('##['), line);
  }
  assert.is(actionLogText('snapshot a::b  tags x'), 'snapshot a::b  tags x');
});

test('htmlText leaves no character that HTML or the Markdown around it could read as markup', () => {
  const out = htmlText('<img src=x onerror="alert(1)"> & \'a\'\n\n# heading');
  assert.not.match(out, /[<>"'\n]/);
  assert.is(out, '&#60;img src=x onerror=&#34;alert(1)&#34;&#62; &#38; &#39;a&#39;\\n\\n# heading');
});

test('slackText escapes links, mentions and entities, and keeps a value on one line', () => {
  assert.is(
    slackText('<!channel> <https://evil.example|click> &amp;\nx'),
    '&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;amp;\\nx',
  );
});

test('a webhook message quoting the repository carries no raw link, mention or extra line', () => {
  const run: RunRecord = {
    operation: 'prune',
    result: 'failure',
    exitCode: 1,
    error:
      'prune is locked: prune by evil\n:red_circle: ripcord backup succeeded <!channel> <https://evil.example|see here>',
    startedAt: new Date(0),
    finishedAt: new Date(1000),
    snapshots: [],
    dryRun: false,
    rolledBack: false,
    timings: {},
    details: {},
    warnings: ['snapshot x: tag <b>\x1b[2J</b>'],
    origin: { host: 'ci-1', actor: 'octo' },
    tool: 'ripcord 1.0.0',
  };
  const message = slackMessage(run);
  const lines = message.text.split('\n');
  assert.is(lines.filter((l) => l.includes('succeeded')).length, 1, 'the forged headline stays inside the error line');
  assert.ok(lines.find((l) => l.startsWith('error: '))!.includes('\\n:red_circle:'));
  const everything = JSON.stringify(message);
  assert.not.ok(/<!channel>|<https:|<b>/.test(message.text) || /<!channel>|<https:|<b>/.test(everything), everything);
  assert.not.match(message.text.replace(/\n/g, ''), RAW_CONTROL);
});

test('tags are 1 to 128 characters of A-Z a-z 0-9 . _ : / = @ + -; anything else is named in one line', () => {
  for (const tag of ['nightly', 'set:db', 'release/v1.2.3', 'env=prod', 'owner@team', 'a+b', 'x'.repeat(128)])
    assert.is(tagProblem(tag), undefined, tag);
  assert.is(tagProblem('two words'), 'tag "two words" has a character outside A-Z a-z 0-9 . _ : / = @ + -');
  assert.is(tagProblem('a\nb'), 'tag "a\\nb" has a character outside A-Z a-z 0-9 . _ : / = @ + -');
  assert.match(tagProblem('<img>')!, /^tag "<img>" has a character outside/);
  assert.match(tagProblem('x'.repeat(129))!, /is longer than 128 characters/);
  assert.is(tagProblem(''), 'a tag cannot be empty');
});

test('checkLabels refuses a kind outside the four and the first bad tag, as usage errors', () => {
  checkLabels('scheduled', ['set:db', 'nightly']);
  assert.throws(
    () => checkLabels('weekly', []),
    (e: unknown) =>
      e instanceof UsageError &&
      /^kind "weekly" is not one of manual, pre-deploy, pre-restore, scheduled$/.test(e.message),
  );
  assert.throws(
    () => checkLabels('manual', ['ok', 'not ok']),
    (e: unknown) => e instanceof UsageError && /^tag "not ok" /.test(e.message),
  );
});

test.run();
