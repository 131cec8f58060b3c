/**
 * What operations tell the outside world while they work. Operations never print:
 * they emit these events to a reporter, which the CLI renders as a progress bar or log
 * lines and the Action as log groups and annotations.
 */
export interface Totals {
    files: number;
    bytes: number;
}
export type RipcordEvent = {
    type: 'phase';
    phase: string;
    message: string;
} | {
    type: 'progress';
    phase: string;
    done: Totals;
    total?: Totals;
} | {
    type: 'warning';
    message: string;
} | {
    type: 'info';
    message: string;
};
export interface Reporter {
    emit(event: RipcordEvent): void;
    /** it shows totals (a percentage, an ETA), so a backup first counts its sources; that pass costs about 5% of a backup of many small files */
    wantsTotals?: boolean;
}
export declare const silentReporter: Reporter;
