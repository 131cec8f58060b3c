/** One word for sh: as it is when it is plain, else in single quotes (a quote inside closes, escapes and reopens). */
export declare function shellQuote(word: string): string;
