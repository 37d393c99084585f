// Runs at most `n` of the given tasks at once (e.g. per-row lookups), so that a long list does
// not occupy every connection the browser allows to the server.
export function createLimiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return function run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        if (signal?.aborted) {
          active--;
          reject(signal.reason);
          next();
          return;
        }
        task().then(resolve, reject).finally(() => {
          active--;
          next();
        });
      };
      queue.push(start);
      next();
    });
  };
}
