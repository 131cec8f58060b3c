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
/** One line with no control character in it: for a terminal, a log, a table cell. */
export declare function escapeControls(text: string): string;
/** As escapeControls, but newlines stay: for output that is several lines on purpose. */
export declare function escapeControlsKeepingLines(text: string): string;
/**
 * JSON text with every control character escaped. JSON.stringify already escapes C0
 * controls inside strings; DEL, C1 controls and the separators and bidi marks above are
 * valid unescaped in JSON strings and would reach a terminal raw, so they become \uNNNN
 * (still the same JSON value; outside strings JSON has none of them).
 */
export declare function escapeJsonControls(json: string): string;
/** Text for HTML (the Action's job summary): one line, and & < > " ' as entities. */
export declare function htmlText(text: string): string;
/**
 * Text for a Slack-compatible message: one line, and the three characters Slack's
 * markup gives a meaning to (<link|label>, <!channel>, &entities;) as entities.
 */
export declare function slackText(text: string): string;
/**
 * One line for the GitHub Actions log that cannot be a workflow command. The runner
 * takes a line as a command when, after leading white space, it starts with "::", or
 * when it holds "##[" anywhere (the older syntax); both are broken with a \x escape of
 * their first character, as a control character would be.
 */
export declare function actionLogText(text: string): string;
