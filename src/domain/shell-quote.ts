/** One word for sh: as it is when it is plain, else in single quotes (a quote inside closes, escapes and reopens). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
