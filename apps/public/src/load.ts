import { useEffect, useRef, useState } from "preact/hooks";
import { ApiProblem } from "./api";

export type Load<T> = { state: "loading" } | { state: "error"; error: ApiProblem } | { state: "ready"; data: T };

const asProblem = (e: unknown) => (e instanceof ApiProblem ? e : new ApiProblem(0, "Client", e instanceof Error ? e.message : String(e)));

/**
 * Loads `fetcher()` whenever `key` changes; a reply for an older key is dropped, so fast
 * clicking through pages never shows a stale answer. `retry` loads the same key again.
 * `initial` is data the server already rendered the page with: used as is, not fetched again.
 */
export function useLoad<T>(key: string, fetcher: () => Promise<T>, initial?: T): { load: Load<T>; retry: () => void; set: (data: T) => void } {
  const [load, setLoad] = useState<Load<T>>(initial === undefined ? { state: "loading" } : { state: "ready", data: initial });
  const [attempt, setAttempt] = useState(0);
  const skipRef = useRef(initial !== undefined);
  useEffect(() => {
    if (skipRef.current) {
      skipRef.current = false;
      return;
    }
    let live = true;
    setLoad((prev) => (prev.state === "loading" ? prev : { state: "loading" }));
    fetcher().then(
      (data) => live && setLoad({ state: "ready", data }),
      (e: unknown) => live && setLoad({ state: "error", error: asProblem(e) }),
    );
    return () => {
      live = false;
    };
    // the fetcher is a new closure each render; the key says when it asks for something else
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt]);
  return { load, retry: () => setAttempt((n) => n + 1), set: (data: T) => setLoad({ state: "ready", data }) };
}
