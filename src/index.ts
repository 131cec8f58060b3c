/**
 * ripcord as a library: the operations the CLI, the Action and the zx scripts share.
 * `import { createBackup, openStore } from 'ripcord-backup'` (the package's name; the scripts in
 * scripts/ import it so too, which Node resolves to this package's own dist/index.js).
 */
// The AWS SDK warns on every start under Node < 22; ripcord supports Node 20, so the warning
// is noise on every backup's stderr. An explicit setting is respected.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export { createBackup, DEFAULT_EXCLUDES, repositorySkip } from './ops/backup.ts';
export type { BackupRequest, BackupResult } from './ops/backup.ts';
export { verifySnapshots } from './ops/verify.ts';
export type { VerifyOutcome, VerifyRequest } from './ops/verify.ts';
export { listSnapshots, resolveSnapshot, matchesFilter } from './ops/repository.ts';
export { planRestore, applyRestore } from './ops/restore.ts';
export type { RestorePlan, RestoreRequest, RestoreResult } from './ops/restore.ts';
export { diffSnapshots, diffWithFolder } from './ops/diff.ts';
export { dumpFile } from './ops/dump.ts';
export { runGuardedDeploy, runRollback, readOutcome } from './ops/deploy.ts';
export type { DeployReport, DeployRequest, RollbackRequest, StandaloneRollbackReport } from './ops/deploy.ts';
export { planPrune, applyPrune } from './ops/prune.ts';
export type { PrunePlan, PruneResult } from './ops/prune.ts';
export { planCopy, applyCopy } from './ops/copy.ts';
export type { CopyPlan, CopyResult } from './ops/copy.ts';
export { checkFreshness } from './ops/check.ts';
export { parseKeepCount, describePolicy } from './domain/retention.ts';
export type { RetentionPolicy } from './domain/retention.ts';
export { validateDeployment } from './ops/validate.ts';
export type { ValidationPlan, ValidationResult } from './ops/validate.ts';
export { parseCaptureSpec } from './ops/captures.ts';
export { describeOrigin } from './ops/origin.ts';
export { encryptionKeysFrom, decryptionKeysFrom, preRestoreKeysFrom } from './ops/keys.ts';
export type { KeyInputs } from './ops/keys.ts';
export { openStore, describeRepository } from './storage/open-store.ts';
export type { Store } from './storage/store.ts';
export { parseDuration } from './domain/duration.ts';
export { RipcordError, ExitCode } from './domain/errors.ts';
export type { SnapshotMetadata } from './domain/snapshot.ts';
export type { Reporter, RipcordEvent } from './domain/events.ts';
export { VERSION } from './ops/version.ts';
