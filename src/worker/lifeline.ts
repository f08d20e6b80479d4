// What the page's watchdog asks the engine worker (src/store/engine-client.ts): a cheap ping,
// and a Web Lock the worker holds until it ends, so the page learns at once when it is gone.

export interface LifelineApi {
  /** Answers at once; the page pings while a call is pending, to notice a hung worker. */
  ping(): true;
  /**
   * Holds the Web Lock `name` until this worker ends (killed, crashed or terminated), when the
   * browser frees it. Resolves true once held, false where Web Locks are missing.
   */
  lifeline(name: string): Promise<boolean>;
}

/** The worker side of the lifeline, spread into the engine's API. */
export const lifelineApi: LifelineApi = {
  ping: () => true,
  lifeline: (name) =>
    new Promise<boolean>((held) => {
      const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
      if (!locks) return held(false);
      locks
        .request(name, () => {
          held(true);
          return new Promise<never>(() => {});
        })
        .catch(() => held(false));
    }),
};
