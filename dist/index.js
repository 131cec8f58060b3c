import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  diffSnapshots,
  diffWithFolder,
  dumpFile
} from "./chunks/chunk-STV4SJTA.js";
import {
  applyCopy,
  applyPrune,
  checkFreshness,
  describePolicy,
  parseKeepCount,
  planCopy,
  planPrune,
  verifySnapshots
} from "./chunks/chunk-WG5IVQGF.js";
import {
  DEFAULT_EXCLUDES,
  VERSION,
  applyRestore,
  createBackup,
  decryptionKeysFrom,
  describeOrigin,
  describeRepository,
  encryptionKeysFrom,
  listSnapshots,
  matchesFilter,
  openStore,
  parseCaptureSpec,
  parseDuration,
  planRestore,
  preRestoreKeysFrom,
  readOutcome,
  repositorySkip,
  resolveSnapshot,
  runGuardedDeploy,
  runRollback,
  validateDeployment
} from "./chunks/chunk-IKWDMS5Z.js";
import "./chunks/chunk-4ZCQRPLC.js";
import "./chunks/chunk-LMOK4EBW.js";
import "./chunks/chunk-EYQ7L4U7.js";
import {
  ExitCode,
  RipcordError
} from "./chunks/chunk-23W3WYYB.js";
import "./chunks/chunk-374JASB6.js";

// src/index.ts
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
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
