import type { Writable } from 'node:stream';
import type { Reporter } from '../domain/events.ts';
export interface ValidationPlan {
    /** shell command lines (sh -c) that must exit 0 */
    commands: readonly string[];
    /** URLs that must answer with an expected status */
    healthUrls: readonly string[];
    /** "2xx" (default), "200", "200,204", "200-399" */
    expectStatus?: string;
    /** a regular expression the body must match */
    expectBody?: string;
    /** extra attempts after the first (default 0) */
    retries?: number;
    /** wait between attempts, ms (default 5000) */
    intervalMs?: number;
    /** limit per check per attempt, ms (default 60000) */
    timeoutMs?: number;
}
export interface ShellContext {
    cwd: string;
    env?: NodeJS.ProcessEnv | undefined;
    /** where command output is streamed (default: discarded) */
    output?: Writable | undefined;
    reporter?: Reporter | undefined;
}
export interface CheckFailure {
    check: string;
    detail: string;
}
export interface ValidationResult {
    ok: boolean;
    attempts: number;
    /** failures of the last attempt */
    failures: CheckFailure[];
    durationMs: number;
}
export declare function hasChecks(plan: ValidationPlan): boolean;
/** "2xx", "200", "200,204", "200-399" -> a predicate; throws UsageError on anything else. */
export declare function parseExpectedStatus(spec: string): (status: number) => boolean;
export declare function compileBodyPattern(source: string): RegExp;
export declare function validateDeployment(plan: ValidationPlan, context: ShellContext): Promise<ValidationResult>;
export interface CommandOutcome {
    code: number | null;
    signal: string | null;
    timedOut: boolean;
    /** the last lines of stdout and stderr together */
    tail: string;
}
/** Run a command, streaming its output, keeping its last lines. */
export declare function runStreaming(file: string, args: readonly string[], timeoutMs: number | undefined, context: ShellContext): Promise<CommandOutcome>;
export declare function lastLines(text: string, lines: number): string;
