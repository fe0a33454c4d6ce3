/** A promise with its resolve handle, for "whichever happens first" races. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly settled: () => boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let done = false;
  const promise = new Promise<T>((r) => {
    resolve = (value) => {
      if (done) return;
      done = true;
      r(value);
    };
  });
  return { promise, resolve, settled: () => done };
}
