/**
 * JSON text parsed together with where each key and value sits in it, so that an error
 * in a configuration file can name its line. Strict RFC 8259: no comments, no trailing
 * commas. A key given twice in one object is an error (JSON.parse silently keeps the
 * last one, which hides a typo'd copy-paste). Pure, no I/O.
 */
export interface SourcePosition {
    /** 1-based */
    line: number;
    /** 1-based, in UTF-16 code units */
    column: number;
}
export type JsonPath = readonly (string | number)[];
export interface PositionedJson {
    value: unknown;
    /**
     * By JSON pointer ("" for the whole document, "/sets/data/paths"): where the member's
     * KEY is for object members (the line a reader looks for), where the value starts for
     * array items and for the document itself.
     */
    positions: Map<string, SourcePosition>;
}
export declare class JsonSyntaxError extends Error {
    readonly position: SourcePosition;
    constructor(message: string, position: SourcePosition);
}
/** RFC 6901: "/sets/my~1set/paths/0". */
export declare function jsonPointer(path: JsonPath): string;
/** The position recorded for `path`, or for its nearest ancestor that has one. */
export declare function positionOf(parsed: PositionedJson, path: JsonPath): SourcePosition;
export declare function parseJsonWithPositions(source: string): PositionedJson;
