/**
 * The per-user one-at-a-time rule: requests of one user run one after another, so two quick refines both
 * apply; requests of different users run side by side. In memory by default (one process); Redis shares
 * it between processes (./redis-user-lock.ts).
 */
export interface UserLock {
  /**
   * Runs fn once the user's earlier requests have settled and resolves or rejects with it. Rejects with
   * SharedStateUnavailableError, without running fn, when a shared lock cannot be reached.
   */
  run<T>(userId: string, fn: () => Promise<T>): Promise<T>;
}

/** One process: a promise chain per user (dropped once the user's last request settles). */
export class InMemoryUserLock implements UserLock {
  private readonly busy = new Map<string, Promise<unknown>>();

  run<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(userId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.busy.set(userId, settled);
    void settled.then(() => {
      if (this.busy.get(userId) === settled) this.busy.delete(userId);
    });
    return run;
  }

  /** Users with a request running or waiting (tests: the map does not grow). */
  get size(): number {
    return this.busy.size;
  }
}
