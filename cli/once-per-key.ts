// Reads of the store that many rows share (a train stage, a failed input): each done once per command.

/** `read(key)` at most once per key: later calls share the first call's promise. */
export function oncePerKey<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const started = new Map<string, Promise<T>>();
  return (key) => {
    let promise = started.get(key);
    if (promise === undefined) {
      promise = read(key);
      started.set(key, promise);
    }
    return promise;
  };
}
