/** Repository keys are "/"-separated relative names; anything else is a programming error. */
export function assertValidKey(key: string): void {
  if (
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`invalid repository key: ${JSON.stringify(key)}`);
  }
}
