export declare const CAPTURED_DIR = ".ripcord-captured";
/** What a capture may be called (and so the only files under CAPTURED_DIR). */
export declare const CAPTURE_NAME: RegExp;
export interface CaptureCommand {
    name: string;
    /** a shell command line, run with sh -c */
    command: string;
}
/** Parse NAME=command (as given to --capture and --restore-capture). */
export declare function parseCaptureSpec(spec: string, flag: string): CaptureCommand;
export interface ShellOptions {
    cwd: string;
    /** default: this process's environment */
    env?: NodeJS.ProcessEnv | undefined;
}
/** Run every capture, spooling stdout into files named after the captures in a new private folder. */
export declare function runCaptures(captures: readonly CaptureCommand[], options: ShellOptions): Promise<{
    dir: string;
    cleanup(): Promise<void>;
}>;
/** Feed a captured file to its restore command on stdin. */
export declare function runRestoreCapture(capture: CaptureCommand, content: string, options: ShellOptions): Promise<void>;
