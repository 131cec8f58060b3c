/** "Did you mean …?" for a mistyped name: the known names within a small edit distance of it. */
export declare function closeMatches(word: string, known: readonly string[]): string[];
/** Levenshtein distance, one row at a time. */
export declare function editDistance(a: string, b: string): number;
