/**
 * SHA-256 of a file whose chunks arrive out of order: chunks are hashed strictly in order (later
 * ones wait in a small buffer, or are read back from the cache), and the state can be saved so
 * hashing resumes with an interrupted download. Also hashes each chunk on its own.
 */
import { createSHA256, type IHasher } from 'hash-wasm';

export const sha256Hex = async (data: Uint8Array): Promise<string> => {
  const h = await createSHA256();
  h.init();
  h.update(data);
  return h.digest('hex');
};

/** Out-of-order chunks kept in memory at most; later ones are read back from the cache when due. */
const MAX_PENDING = 6;

export class InOrderHasher {
  private pending = new Map<number, Uint8Array>();

  private constructor(
    private h: IHasher,
    public next: number,
  ) {}

  static async create(state?: Uint8Array, hashed = 0): Promise<InOrderHasher> {
    const h = await createSHA256();
    h.init();
    if (state && hashed > 0) {
      h.load(state);
      return new InOrderHasher(h, hashed);
    }
    return new InOrderHasher(h, 0);
  }

  /**
   * Adds chunk `index`; hashes every chunk that is now next in order, reading stored chunks the
   * download did not fetch this time (`stored`) back through `readBack`. Returns how many were hashed.
   */
  async add(
    index: number,
    data: Uint8Array | null,
    stored: (i: number) => boolean,
    readBack: (i: number) => Promise<Uint8Array>,
  ): Promise<number> {
    if (data && index >= this.next && (index === this.next || this.pending.size < MAX_PENDING)) this.pending.set(index, data);
    let n = 0;
    for (;;) {
      let chunk = this.pending.get(this.next);
      if (!chunk && stored(this.next)) chunk = await readBack(this.next);
      if (!chunk) return n;
      this.pending.delete(this.next);
      this.h.update(chunk);
      this.next++;
      n++;
    }
  }

  save(): Uint8Array {
    return this.h.save();
  }

  digest(): string {
    return this.h.digest('hex');
  }
}
