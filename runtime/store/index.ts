// The store's public surface: content-addressed results, the checkpoint format, claims and cache upkeep.
export { Store } from './store.ts';
export type { BlobProblem, CommitInfo, CommitObserver, CommitStep, InspectOptions, LookupOutcome, OutputToCommit, StageIdentity, StoreOptions } from './store.ts';
export { CACHE_FORMAT, CACHE_FORMAT_VERSION } from './cache-marker.ts';
export type { CacheCondition } from './cache-marker.ts';
export { ACTION_RECORD_VERSION } from './action-record.ts';
export type { ActionRecord, OutputKind, OutputRef, RunStep, StagePreimage } from './action-record.ts';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, decodeHeader, decodeTensors, elementCount, encodeTensors } from './checkpoint-format.ts';
export type { CheckpointHeader, CheckpointMeta, DecodedCheckpoint, NamedTensor, TensorDType, TensorEntry } from './checkpoint-format.ts';
export { StageClaims, inspectClaim, isProcessAlive } from './claims.ts';
export type { AcquireOutcome, ClaimContent, ClaimState, StageClaimsOptions, StalenessPolicy, WaitingObserver } from './claims.ts';
export { processStartOf } from './process-start.ts';
export { CacheMaintenance } from './maintenance.ts';
export type { CacheEntry, CacheListing, GcOptions, GcReport, VerifyProblem, VerifyReport } from './maintenance.ts';
export { CacheUnusableError, NotACacheError, StoreCorruptError, StoreError } from './errors.ts';
export { CACHE_MARKER, DEFAULT_STORE_DIR } from './layout.ts';
export type { Sha256Hex } from './digest.ts';
export type { JsonObject, JsonValue } from './json.ts';
