// Layer compression, told by the first bytes rather than by the media type (archives and
// registries mislabel): gzip (1f 8b), zstd (28 b5 2f fd, decoded by fzstd: Node 20 has no
// zstd), or a plain tar.

import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** A stream that decompresses whatever it is given (gzip, zstd) or passes a plain tar. */
export class Decompressor extends Transform {
  private head = Buffer.alloc(0);
  private inner: ((chunk: Buffer, final: boolean, done: TransformCallback) => void) | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.inner) return this.inner(chunk, false, done);
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length < 4) return done();
    this.start(sniffCompression(this.head));
    const head = this.head;
    this.head = Buffer.alloc(0);
    this.inner!(head, false, done);
  }

  override _flush(done: TransformCallback): void {
    if (!this.inner) this.start(sniffCompression(this.head));
    this.inner!(this.head, true, done);
  }

  private start(kind: Compression): void {
    if (kind === 'none') {
      this.inner = (chunk, _final, done) => done(null, chunk.length > 0 ? chunk : undefined);
    } else if (kind === 'gzip') {
      // Not waiting for each chunk to be inflated keeps zlib's thread busy; 'drain' paces it.
      const gunzip = zlib.createGunzip();
      gunzip.on('data', (out: Buffer) => this.push(out));
      let failure: Error | undefined;
      gunzip.on('error', (err) => {
        failure = err;
        this.destroy(err);
      });
      this.inner = (chunk, final, done) => {
        if (failure) return done(failure);
        if (final) {
          gunzip.once('end', () => done());
          gunzip.end(chunk);
        } else if (gunzip.write(chunk)) done();
        else gunzip.once('drain', () => done());
      };
    } else {
      const zstd = new Decompress((out) => this.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength)));
      this.inner = (chunk, final, done) => {
        try {
          zstd.push(chunk, final);
          done();
        } catch (err) {
          done(new Error(`zstd: ${(err as Error).message}`));
        }
      };
    }
  }
}
