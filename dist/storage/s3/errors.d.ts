/** Where the requests went, for messages. */
export interface S3Place {
    bucket: string;
    location: string;
    /** endpoint for messages, credentials stripped */
    endpointLabel: string;
    storageClass: string | undefined;
}
/** One line naming the bucket or endpoint and what to check. */
export declare function classifyS3Error(error: unknown, action: string, { bucket, location, endpointLabel, storageClass }: S3Place): Error;
/** "No such key" (or a HEAD 404, which carries no code), but never "no such bucket". */
export declare function isNotFound(error: unknown): boolean;
export declare function httpStatus(error: unknown): number | undefined;
export declare function messageOf(error: unknown): string;
export declare function oneLine(text: string): string;
