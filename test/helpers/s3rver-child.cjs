// An S3-compatible server for the tests and the benchmark: s3rver 3.7.1, run as a child
// process (test/helpers/s3-server.ts says why) with
//   node --openssl-legacy-provider s3rver-child.cjs <s3rver module> <data folder> <port>
// It reports over IPC when it listens, every request it receives, and the body bytes of each
// response it sends.
'use strict';
const [s3rverPath, directory, port] = process.argv.slice(2);
const S3rver = require(s3rverPath);

// s3rver 3.7.1 answers a PUT (object or part) once the data has passed its hashing
// transform, before its write stream has finished: under load a GET, or the
// CompleteMultipartUpload that reads the parts, can find a short or missing file. Real S3
// is read-after-write consistent, so these two methods wait for the file.
const nodePath = require('node:path');
const { createHash } = require('node:crypto');
const { createWriteStream, promises: fsp } = require('node:fs');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const FilesystemStore = require(nodePath.join(nodePath.dirname(s3rverPath), 'stores', 'filesystem.js'));
async function writeHashed(content, file) {
  await fsp.mkdir(nodePath.dirname(file), { recursive: true });
  const md5 = createHash('md5');
  let size = 0;
  const count = new Transform({
    transform(chunk, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : content, count, createWriteStream(file));
  return { size, md5: md5.digest('hex') };
}
FilesystemStore.prototype.putObject = async function (object) {
  const written = await writeHashed(object.content, this.getResourcePath(object.bucket, object.key, 'object'));
  await this.putMetadata(object.bucket, object.key, object.metadata, written.md5);
  return written;
};
FilesystemStore.prototype.putPart = async function (bucket, uploadId, partNumber, content) {
  const partPath = nodePath.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
  const written = await writeHashed(content, partPath);
  await fsp.writeFile(partPath + '.md5', written.md5);
  return written;
};

const server = new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: true });
server.run().then(
  (address) => {
    server.httpServer.prependListener('request', (req, res) => {
      process.send({ type: 'request', request: { method: req.method, url: req.url, headers: req.headers } });
      // the bytes of each response body, for those who count what a client read (the benchmark)
      let bytes = 0;
      const write = res.write;
      const end = res.end;
      const count = (chunk) => {
        if (chunk && typeof chunk !== 'function') bytes += Buffer.byteLength(chunk);
      };
      res.write = function (chunk, ...rest) {
        count(chunk);
        return write.call(this, chunk, ...rest);
      };
      res.end = function (chunk, ...rest) {
        count(chunk);
        return end.call(this, chunk, ...rest);
      };
      res.once('finish', () => {
        if (process.connected) process.send({ type: 'served', method: req.method, url: req.url, bytes });
      });
    });
    process.send({ type: 'listening', port: address.port });
  },
  (error) => {
    process.send({ type: 'failed', message: String(error?.stack || error) });
    process.exit(1);
  },
);
process.on('message', (message) => {
  if (message && message.type === 'flush') process.send({ type: 'flushed', id: message.id });
});
process.on('disconnect', () => process.exit(0));
