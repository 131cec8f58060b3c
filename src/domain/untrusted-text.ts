/**
 * Text read from a repository (tags, host names, paths, lock and audit records, messages
 * that quote them) is untrusted: anyone who can write into the repository chose it. Before
 * it is shown it is made inert for where it goes. Control characters are escaped
 * everywhere, so that one value is one line and no terminal escape sequence, carriage
 * return or bidirectional override reaches a screen; the Action's log, the job summary
 * and webhook messages add their own escaping on top.
 *
 * Escapes read like JavaScript's: \n \r \t, \xNN below U+0100, \u{NNNN} above. A
 * backslash is not doubled: this is for people to read, not to parse back.
 */

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** CONTROL less C0: JSON.stringify escapes those, so raw ones in its output are its own line breaks. */
const NOT_ESCAPED_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** One line with no control character in it: for a terminal, a log, a table cell. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** As escapeControls, but newlines stay: for output that is several lines on purpose. */
export function escapeControlsKeepingLines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escapeOne);
}

/**
 * JSON text with every control character escaped. JSON.stringify already escapes C0
 * controls inside strings; DEL, C1 controls and the separators and bidi marks above are
 * valid unescaped in JSON strings and would reach a terminal raw, so they become \uNNNN
 * (still the same JSON value; outside strings JSON has none of them).
 */
export function escapeJsonControls(json: string): string {
  return json.replace(NOT_ESCAPED_BY_JSON, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Text for HTML (the Action's job summary): one line, and & < > " ' as entities. */
export function htmlText(text: string): string {
  return escapeControls(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Text for a Slack-compatible message: one line, and the three characters Slack's
 * markup gives a meaning to (<link|label>, <!channel>, &entities;) as entities.
 */
export function slackText(text: string): string {
  return escapeControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One line for the GitHub Actions log that cannot be a workflow command. The runner
 * takes a line as a command when, after leading white space, it starts with "::", or
 * when it holds "##[" anywhere (the older syntax); both are broken with a \x escape of
 * their first character, as a control character would be.
 */
export function actionLogText(text: string): string {
  return escapeControls(text)
    .replace(/##\[/g, '\\x23#[')
    .replace(/^(\s*):(?=:)/, '$1\\x3a');
}
