import type { SnapshotMetadata } from '../domain/snapshot.ts';
export type Origin = Pick<SnapshotMetadata, 'host' | 'user' | 'git' | 'ci'>;
export declare function describeOrigin(cwd: string, env: NodeJS.ProcessEnv): Promise<Origin>;
/** Who ran an operation and where, for audit records and reports: $GITHUB_ACTOR when set, else the OS user. */
export declare function describeActor(env: NodeJS.ProcessEnv): {
    host: string;
    actor: string;
    ciRunUrl?: string;
};
/** https://token@github.com/o/r -> https://github.com/o/r: a remote URL may carry a token. */
export declare function withoutCredentials(url: string): string;
