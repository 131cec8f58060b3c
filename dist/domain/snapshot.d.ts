export declare const SNAPSHOT_FORMAT = "ripcord-snapshot/1";
export declare const ARCHIVE_OBJECT = "archive.tar.gz.pgp";
export declare const MANIFEST_OBJECT = "manifest.json.pgp";
export declare const CHECKSUMS_OBJECT = "SHA256SUMS";
export declare const SNAPSHOT_OBJECT = "snapshot.json";
export declare const SNAPSHOT_KINDS: readonly ['manual', 'pre-deploy', 'pre-restore', 'scheduled'];
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];
export declare function isSnapshotKind(value: unknown): value is SnapshotKind;
/**
 * A tag is 1 to 128 of these characters: enough for set:NAME, release/v1.2.3,
 * env=prod or owner@team, and nothing a terminal, a log or a page could take for markup.
 */
export declare const TAG_CHARACTERS = "A-Z a-z 0-9 . _ : / = @ + -";
export declare const MAX_TAG_LENGTH = 128;
/** What is wrong with a tag, in words that name it; undefined for a good one. */
export declare function tagProblem(tag: string): string | undefined;
/** Refuse a kind or tag that may not be written into a snapshot (a usage error naming it). */
export declare function checkLabels(kind: string, tags: readonly string[]): void;
export interface ObjectChecksum {
    sha256: string;
    bytes: number;
}
/**
 * A passphrase's key check value (docs/format.md): HMAC-SHA-256, under the label
 * "ripcord key check", of the OpenPGP iterated and salted S2K (SHA-256) of the passphrase
 * with a salt of its own. Not an encryption key; see archive/skesk.ts.
 */
export interface PassphraseCheck {
    s2k: 'iterated-sha256';
    /** 8 bytes, hex */
    salt: string;
    /** the coded S2K count octet (RFC 4880 3.7.1.3) */
    count: number;
    /** hex */
    hmac: string;
}
export declare function isPassphraseCheck(value: unknown): value is PassphraseCheck;
export interface SnapshotMetadata {
    format: typeof SNAPSHOT_FORMAT;
    id: string;
    /** ISO 8601 UTC */
    created: string;
    kind: SnapshotKind;
    tags: string[];
    host: string;
    user: string;
    git?: {
        commit: string;
        branch?: string;
        remote?: string;
    };
    ci?: {
        provider: 'github-actions';
        runId?: string;
        runUrl?: string;
        actor?: string;
        workflow?: string;
        ref?: string;
    };
    /** the snapshot a pre-restore snapshot was taken before restoring */
    restoredFrom?: string;
    /** a full snapshot made by `merge` from this chain link, holding its state */
    mergedFrom?: string;
    /** absent: a full snapshot. An incremental or differential one holds what changed since `parent` (domain/chain.ts) */
    level?: 'incremental' | 'differential';
    parent?: string;
    /** SHA-256 of the parent's stored manifest object: binds the parent, key holders included */
    parentManifestSha256?: string;
    /** the full snapshot the chain starts from */
    base?: string;
    files: number;
    inputBytes: number;
    archiveBytes: number;
    /** wall time of the backup, ms */
    durationMs: number;
    compression: 'gzip';
    encryption: {
        mode: 'passphrase' | 'public-key';
        profile: 'rfc4880';
        recipients: string[];
        /** passphrase mode: a verifier of the passphrase; absent in snapshots made before it was recorded */
        keyCheck?: PassphraseCheck;
    };
    objects: {
        [ARCHIVE_OBJECT]: ObjectChecksum;
        [MANIFEST_OBJECT]: ObjectChecksum;
    };
    tool: {
        name: 'ripcord';
        version: string;
    };
    /** sha256 of the canonical JSON of every other field */
    metadataSha256: string;
}
export type UnsealedMetadata = Omit<SnapshotMetadata, 'metadataSha256'>;
/** Add the self-checksum. */
export declare function sealMetadata(metadata: UnsealedMetadata): SnapshotMetadata;
export declare function serializeMetadata(metadata: SnapshotMetadata): string;
/**
 * Parse snapshot.json strictly. Returns a reason instead of throwing so callers can
 * name the snapshot in their own message.
 */
export declare function parseMetadata(text: string, expectedId: string): {
    metadata: SnapshotMetadata;
} | {
    problem: string;
};
/** SHA256SUMS in the exact format `sha256sum -c` reads. */
export declare function formatChecksums(objects: SnapshotMetadata['objects']): string;
export declare function parseChecksums(text: string): Map<string, string>;
