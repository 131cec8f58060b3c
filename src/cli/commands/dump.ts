import { UsageError } from '../../domain/errors.ts';
import { dumpFile } from '../../ops/dump.ts';
import type { Command } from '../command.ts';

export const dumpCommand: Command = {
  name: 'dump',
  summary: "Write one file's content from a snapshot to stdout, touching nothing else.",
  usage: 'ripcord dump [options] <id|latest> <path>',
  description: [
    'The path is as stored (see ripcord ls). Only the part of the archive that holds the file',
    'is read (a byte range, on S3 too), by the index in the authenticated manifest; nothing is',
    "written to stdout before the file's size and SHA-256 are the manifest's, so a damaged or",
    'tampered file prints nothing. Snapshots made before archives had an index are read whole,',
    'and the file is printed once the whole archive has authenticated.',
  ].join('\n'),
  options: {},
  examples: [
    'ripcord dump latest config/app.yaml > app.yaml',
    'ripcord dump latest config/app.yaml | diff - config/app.yaml',
  ],
  async run(context, _values, positionals) {
    const [reference, file] = positionals;
    if (!reference || !file)
      throw new UsageError('dump needs a snapshot and a path: ripcord dump latest config/app.yaml');
    const store = await context.openRepository();
    try {
      await dumpFile({ store, reference, file, keys: await context.decryptionKeys(), output: context.stdout });
    } catch (error) {
      // the reader closed the pipe (| head): it has what it wanted
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    return 0;
  },
};
