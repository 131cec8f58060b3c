import { Readable } from 'node:stream';
import type { GetOptions, ListOptions, ObjectFile, PutOptions, Store, StoredObject } from './store.ts';
export declare class LocalStore implements Store {
    readonly properties: {
        location: string;
        listable: boolean;
        deletable: boolean;
        durable: boolean;
    };
    readonly root: string;
    constructor(root: string);
    private pathOf;
    put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void>;
    get(key: string, options?: GetOptions): Promise<Readable>;
    openFile(key: string): Promise<ObjectFile>;
    stat(key: string): Promise<StoredObject | undefined>;
    list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject>;
    private walk;
    /** A listed file as a stored object; undefined when it went away since its folder was read. */
    private listed;
    listEmptyFolders(): AsyncIterable<StoredObject>;
    removeEmptyFolder(key: string): Promise<boolean>;
    delete(keys: readonly string[]): Promise<void>;
    /** Remove these folders and their parents inside the store while they are empty, deepest first. */
    private removeEmptyFolders;
    close(): Promise<void>;
    private classify;
}
