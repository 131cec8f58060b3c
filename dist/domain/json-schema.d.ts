/**
 * A validator for the subset of JSON Schema (2020-12) that ripcord's own schemas use,
 * written out so that the schema file editors read is also the one ripcord enforces,
 * without a validator dependency. A keyword outside the subset is a programming error
 * (the schema was extended without the validator), never silently ignored.
 *
 * Problems carry the JSON path they concern; the caller turns paths into file lines.
 */
import type { JsonPath } from './json-source.ts';
export type JsonSchema = {
    [keyword: string]: unknown;
};
export interface SchemaProblem {
    /** where the problem is: the member itself, or for a missing key the object that lacks it */
    path: JsonPath;
    message: string;
}
export declare class UnsupportedSchemaError extends Error {
}
export declare function validateAgainstSchema(value: unknown, schema: JsonSchema, root?: JsonSchema): SchemaProblem[];
