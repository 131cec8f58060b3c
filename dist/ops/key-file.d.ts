/**
 * The armored key blocks in `file`, named by the setting `what`. A file that cannot be read is
 * refused in the words of `unreadable`, given why ('no such file' or the error code); a file
 * without a block, with the gpg command that exports one.
 */
export declare function readKeyFile(file: string, what: string, refusal: {
    unreadable: (why: string) => string;
    exportCommand: string;
}): Promise<string[]>;
