/** "Did you mean …?" for a mistyped name: the known names within a small edit distance of it. */
export function closeMatches(word: string, known: readonly string[]): string[] {
  return known.filter((k) => editDistance(k.toLowerCase(), word.toLowerCase()) <= (k.length >= 5 ? 2 : 1));
}

/** Levenshtein distance, one row at a time. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
