/** Every input, output and state key of the Action, named once; they match action.yml exactly. */
export const Inputs = {
  command: 'command',
  paths: 'paths',
  exclude: 'exclude',
  workingDirectory: 'working-directory',
  repository: 'repository',
  passphrase: 'passphrase',
  recipients: 'recipients',
  identity: 'identity',
  identityPassphrase: 'identity-passphrase',
  signingKey: 'signing-key',
  signingKeyPassphrase: 'signing-key-passphrase',
  trustedSigners: 'trusted-signers',
  allowUnsigned: 'allow-unsigned',
  kind: 'kind',
  level: 'level',
  tags: 'tags',
  snapshot: 'snapshot',
  target: 'target',
  delete: 'delete',
  readData: 'read-data',
  to: 'to',
  maxAge: 'max-age',
  keepLast: 'keep-last',
  keepHourly: 'keep-hourly',
  keepDaily: 'keep-daily',
  keepWeekly: 'keep-weekly',
  keepMonthly: 'keep-monthly',
  keepYearly: 'keep-yearly',
  keepWithin: 'keep-within',
  deploy: 'deploy',
  validate: 'validate',
  healthUrl: 'health-url',
  validateRetries: 'validate-retries',
  validateInterval: 'validate-interval',
  onRollback: 'on-rollback',
  capture: 'capture',
  restoreCapture: 'restore-capture',
  rollbackOnFailure: 'rollback-on-failure',
  newKey: 'new-key',
  s3Endpoint: 's3-endpoint',
} as const;

export const Outputs = {
  snapshotId: 'snapshot-id',
  archiveSha256: 'archive-sha256',
  archiveBytes: 'archive-bytes',
  fileCount: 'file-count',
  restoredSnapshotId: 'restored-snapshot-id',
  preRestoreSnapshotId: 'pre-restore-snapshot-id',
  rolledBack: 'rolled-back',
  result: 'result',
} as const;

export const State = {
  /** the pre-deploy snapshot the post step rolls back to */
  guardSnapshot: 'guard-snapshot',
  /** the repository it lives in, as resolved by main */
  guardRepository: 'guard-repository',
} as const;

export const COMMANDS = [
  'backup',
  'restore',
  'verify',
  'list',
  'prune',
  'copy',
  'deploy',
  'rollback',
  'check',
] as const;
export type ActionCommand = (typeof COMMANDS)[number];
