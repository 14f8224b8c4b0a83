/**
 * The download worker's running jobs, by the model each one writes. Deleting a model stops its jobs
 * and waits until each has really stopped (its last chunk and record written or dropped) before the
 * delete runs: otherwise an in-flight write could put a record back after the delete.
 */
interface Job {
  modelId: string | null;
  ctrl: AbortController;
  /** Settles (never rejects) once the job has stopped touching the cache. */
  stopped: Promise<void>;
}

export class Jobs {
  readonly #jobs = new Map<number, Job>();

  /** Runs a job under a request id; `modelId` is the model it writes (null: none known). */
  run<T>(requestId: number, modelId: string | null, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctrl = new AbortController();
    let result: Promise<T>;
    try {
      result = job(ctrl.signal); // started at once: a cancel right after reaches its listeners
    } catch (e) {
      result = Promise.reject(e);
    }
    const stopped = result.then(
      () => {},
      () => {},
    );
    const entry: Job = { modelId, ctrl, stopped };
    this.#jobs.set(requestId, entry);
    void stopped.then(() => {
      if (this.#jobs.get(requestId) === entry) this.#jobs.delete(requestId);
    });
    return result;
  }

  /** Asks one job to stop (a pause, or a page that no longer wants it); it stops soon after. */
  cancel(requestId: number, reason: unknown): void {
    this.#jobs.get(requestId)?.ctrl.abort(reason);
  }

  /** Stops every job on a model (with null: every job) and resolves once all of them have stopped. */
  async stop(modelId: string | null, reason: unknown): Promise<void> {
    const hit = [...this.#jobs.values()].filter((j) => modelId === null || j.modelId === modelId);
    for (const j of hit) j.ctrl.abort(reason);
    await Promise.all(hit.map((j) => j.stopped));
  }

  /** How many jobs are running (on one model, or in all). */
  count(modelId?: string): number {
    return [...this.#jobs.values()].filter((j) => modelId === undefined || j.modelId === modelId).length;
  }
}
