/**
 * The packets inside a decrypted SEIPD (./seipd-decrypt.ts): Literal Data goes to the output,
 * Compressed Data (ZIP or ZLIB, as GnuPG writes by default) is unpacked on the thread pool,
 * signatures, markers and padding are skipped; anything else is refused as damage.
 */
import * as zlib from 'node:zlib';
import { IntegrityError } from '../domain/errors.ts';
import { PacketParser, TAG, type PacketEvents } from './packets.ts';

export interface OutputContext {
  push(data: Buffer): void;
  literals: number;
  corrupt(message: string): IntegrityError;
}

const INFLATE_CHUNK = 1 << 18;

/** Decompresses a Compressed Data packet's body on the thread pool, feeding a reader. */
class Inflater {
  readonly #stream: zlib.Inflate | zlib.InflateRaw;
  readonly #closed: Promise<void>;
  #pending: Promise<void> = Promise.resolve();
  #error: Error | undefined;

  constructor(algorithm: number, reader: PlaintextReader, ctx: OutputContext) {
    // 256 KiB out per call: with the default 16 KiB, inflating a 5.7 MB manifest took ~350 trips
    // to the thread pool, and the main thread waited on them (~40 ms of a 0.3 s `dump`).
    const options = { chunkSize: INFLATE_CHUNK };
    this.#stream = algorithm === 1 ? zlib.createInflateRaw(options) : zlib.createInflate(options);
    this.#stream.on('data', (data: Buffer) => {
      if (this.#error) return;
      try {
        reader.write(data);
      } catch (error) {
        this.#error = error as Error;
        this.#stream.destroy();
      }
    });
    this.#stream.on('error', (error) => {
      this.#error ??= ctx.corrupt(`its compressed data does not decompress (${error.message})`);
    });
    this.#closed = new Promise((resolve) => this.#stream.once('close', () => resolve()));
  }

  write(data: Buffer): void {
    if (this.#error) return;
    // no copy: plaintext buffers are never modified once produced
    const written = new Promise<void>((resolve) => this.#stream.write(data, () => resolve()));
    this.#pending = Promise.race([written, this.#closed]);
  }

  /** All input written so far has been decompressed and handed on. */
  async settle(): Promise<void> {
    await this.#pending;
    if (this.#error) throw this.#error;
  }

  async end(): Promise<void> {
    if (!this.#error) {
      const ended = new Promise<void>((resolve) => this.#stream.once('end', () => resolve()));
      this.#stream.end();
      await Promise.race([ended, this.#closed]);
    }
    if (this.#error) throw this.#error;
  }

  destroy(): void {
    this.#stream.destroy();
  }
}

/**
 * Reads the packets inside the SEIPD (or inside a Compressed Data packet): Literal Data
 * goes to the output, Compressed Data is unpacked, signatures and markers are skipped.
 */
export class PlaintextReader implements PacketEvents {
  readonly #ctx: OutputContext;
  readonly #depth: number;
  readonly #parser: PacketParser;
  #current: 'literal-header' | 'literal' | 'compressed-algorithm' | 'compressed' | 'skip' = 'skip';
  #header: Buffer[] = [];
  #headerUsed = 0;
  #nested: PlaintextReader | undefined;
  #inflater: Inflater | undefined;
  #ending: Promise<void>[] = [];
  /** literal data found in the buffer being written, sent on as one when write() is done */
  #pieces: Buffer[] = [];
  /** the buffer being written went (in part) to the inflater, which keeps it: it must not change */
  #kept = false;

  constructor(ctx: OutputContext, depth: number) {
    this.#ctx = ctx;
    this.#depth = depth;
    this.#parser = new PacketParser(this, (message) =>
      ctx.corrupt(`its decrypted data is not valid OpenPGP: ${message}`),
    );
  }

  write(data: Buffer): void {
    this.#pieces = [];
    this.#kept = false;
    this.#parser.write(data);
    this.#sendPieces(data);
  }

  /** the buffer last written went (in part) to compressed data, which keeps it until it is inflated */
  get keepsInput(): boolean {
    return this.#kept;
  }

  /**
   * Send the literal data found in `data` on. ripcord's archives frame each gzip member as
   * one literal part per set bit of its length, so a MiB of plaintext holds a dozen parts
   * between 1- to 5-byte length headers: sent one by one, they were 5,500 writes into
   * gunzip on the benchmark, each a round trip to the thread pool. The parts are moved
   * together over the headers between them (already read, and hashed for the MDC) and sent
   * as one, without a copy into a new buffer.
   */
  #sendPieces(data: Buffer): void {
    const pieces = this.#pieces;
    this.#pieces = [];
    if (pieces.length === 0) return;
    const first = pieces[0] as Buffer;
    if (pieces.length === 1 || this.#kept || !inOrderWithin(pieces, data)) {
      for (const piece of pieces) this.#ctx.push(piece);
      return;
    }
    const start = first.byteOffset - data.byteOffset;
    let end = start;
    for (const piece of pieces) {
      const at = piece.byteOffset - data.byteOffset;
      if (at !== end) data.copyWithin(end, at, at + piece.length);
      end += piece.length;
    }
    this.#ctx.push(data.subarray(start, end));
  }

  start(tag: number): void {
    const ctx = this.#ctx;
    switch (tag) {
      case TAG.literal:
        if (ctx.literals > 0) throw ctx.corrupt('it holds more than one literal data packet');
        ctx.literals++;
        this.#current = 'literal-header';
        this.#header = [];
        this.#headerUsed = 0;
        return;
      case TAG.compressed:
        if (this.#depth > 0) throw ctx.corrupt('it holds nested compressed data');
        // what came before goes first: the nested packets' data may be sent at once
        for (const piece of this.#pieces.splice(0)) ctx.push(piece);
        this.#current = 'compressed-algorithm';
        return;
      case TAG.onePassSignature:
      case TAG.signature:
      case TAG.marker:
      case TAG.padding:
        this.#current = 'skip';
        return;
      default:
        throw ctx.corrupt(`its decrypted data holds an unexpected packet (tag ${tag})`);
    }
  }

  body(chunk: Buffer): void {
    switch (this.#current) {
      case 'literal':
        this.#pieces.push(chunk);
        return;
      case 'literal-header':
        this.#literalHeader(chunk);
        return;
      case 'compressed':
        this.#kept = true;
        if (this.#inflater) this.#inflater.write(chunk);
        else (this.#nested as PlaintextReader).write(chunk);
        return;
      case 'compressed-algorithm': {
        const algorithm = chunk[0] as number;
        this.#nested = new PlaintextReader(this.#ctx, this.#depth + 1);
        if (algorithm === 1 || algorithm === 2) this.#inflater = new Inflater(algorithm, this.#nested, this.#ctx);
        else if (algorithm === 3)
          throw new IntegrityError(
            'this archive is BZip2-compressed, which ripcord does not read: decrypt it with gpg',
          );
        else if (algorithm !== 0) throw this.#ctx.corrupt(`its data uses unknown compression ${algorithm}`);
        this.#current = 'compressed';
        if (chunk.length > 1) this.body(chunk.subarray(1));
        return;
      }
      case 'skip':
        return;
    }
  }

  /** format (1), filename length (1), filename, date (4); then the data */
  #literalHeader(chunk: Buffer): void {
    this.#header.push(chunk);
    this.#headerUsed += chunk.length;
    // what is kept for the next write is a copy: the buffer written may be freed once write() returns
    if (this.#headerUsed < 2) {
      this.#header = [Buffer.concat(this.#header)];
      return;
    }
    const header = this.#header.length === 1 ? chunk : Buffer.concat(this.#header);
    const size = 2 + (header[1] as number) + 4;
    if (header.length < size) {
      this.#header = [header === chunk ? Buffer.from(chunk) : header];
      return;
    }
    this.#header = [];
    this.#current = 'literal';
    if (header.length > size) this.#pieces.push(header.subarray(size));
  }

  end(): void {
    switch (this.#current) {
      case 'literal-header':
        throw this.#ctx.corrupt('its literal data packet is cut short');
      case 'compressed-algorithm':
        throw this.#ctx.corrupt('its compressed data packet is empty');
      case 'compressed':
        {
          const nested = this.#nested as PlaintextReader;
          const ending = this.#inflater ? this.#inflater.end().then(() => nested.finish()) : nested.finish();
          ending.catch(() => undefined); // awaited in finish(); do not count as unhandled meanwhile
          this.#ending.push(ending);
          this.#inflater = undefined;
        }
        break;
      default:
    }
    this.#current = 'skip';
  }

  /** Asynchronous decompression of what was written so far is done. */
  async settle(): Promise<void> {
    await this.#inflater?.settle();
    await this.#nested?.settle();
  }

  /** The input ended: finish the packets, wait for decompression to end. */
  async finish(): Promise<void> {
    this.#parser.finish();
    const ending = this.#ending;
    this.#ending = [];
    await Promise.all(ending);
  }

  destroy(): void {
    this.#inflater?.destroy();
    this.#nested?.destroy();
  }
}

/** Every piece is a view of `data`, each after the one before. */
function inOrderWithin(pieces: readonly Buffer[], data: Buffer): boolean {
  let next = data.byteOffset;
  for (const piece of pieces) {
    if (piece.buffer !== data.buffer || piece.byteOffset < next) return false;
    next = piece.byteOffset + piece.length;
  }
  return next <= data.byteOffset + data.length;
}
