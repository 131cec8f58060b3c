import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  diffSnapshots,
  diffWithFolder,
  dumpFile
} from "./chunks/chunk-KAESW3KJ.js";
import {
  DEFAULT_EXCLUDES,
  VERSION,
  applyCopy,
  applyPrune,
  applyRestore,
  checkFreshness,
  createBackup,
  decryptionKeysFrom,
  describeOrigin,
  describePolicy,
  describeRepository,
  encryptionKeysFrom,
  listSnapshots,
  matchesFilter,
  openStore,
  parseCaptureSpec,
  parseDuration,
  parseKeepCount,
  planCopy,
  planPrune,
  planRestore,
  preRestoreKeysFrom,
  readOutcome,
  repositorySkip,
  resolveSnapshot,
  runGuardedDeploy,
  runRollback,
  validateDeployment,
  verifySnapshots
} from "./chunks/chunk-OBHWEMUU.js";
import "./chunks/chunk-PP5LREDU.js";
import "./chunks/chunk-SXD3OMJ4.js";
import {
  ExitCode,
  RipcordError
} from "./chunks/chunk-XDVWM3T4.js";
import "./chunks/chunk-374JASB6.js";
export {
  DEFAULT_EXCLUDES,
  ExitCode,
  RipcordError,
  VERSION,
  applyCopy,
  applyPrune,
  applyRestore,
  checkFreshness,
  createBackup,
  decryptionKeysFrom,
  describeOrigin,
  describePolicy,
  describeRepository,
  diffSnapshots,
  diffWithFolder,
  dumpFile,
  encryptionKeysFrom,
  listSnapshots,
  matchesFilter,
  openStore,
  parseCaptureSpec,
  parseDuration,
  parseKeepCount,
  planCopy,
  planPrune,
  planRestore,
  preRestoreKeysFrom,
  readOutcome,
  repositorySkip,
  resolveSnapshot,
  runGuardedDeploy,
  runRollback,
  validateDeployment,
  verifySnapshots
};
