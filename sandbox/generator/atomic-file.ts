import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';

/** Bytes gathered before one write to the stream: fewer, larger writes are much faster. */
const CHUNK = 1 << 20;

/**
 * A file written under a temporary name and renamed into place only on `commit`, so a crash or an
 * error leaves the previous file (or none), never half of a new one.
 */
export class AtomicFile {
  private readonly stream: WriteStream;
  private readonly temporary: string;
  private pending: string[] = [];
  private pendingLength = 0;
  private failure: Error | null = null;

  constructor(readonly path: string) {
    this.temporary = `${path}.${process.pid}.tmp`;
    this.stream = createWriteStream(this.temporary, { encoding: 'utf8' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Appends text; resolves at once unless the stream needs draining. */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Finishes writing; the file keeps its temporary name until `commit`. */
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    await rename(this.temporary, this.path);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await rm(this.temporary, { force: true });
  }
}
