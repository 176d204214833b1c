/**
 * A rule's outcome: `Right` with the value or `Left` with what went wrong (a tagged error), so
 * callers see failures in the type. The same shape and names as Effect's Either (`_tag`, `left`,
 * `right`, `isLeft`, `getOrThrowWith` …) without loading Effect: the domain runs in the API's hot
 * path and in the web apps, where Effect's modules cost start time and bytes for no gain
 * (docs/ARCHITECTURE.md, "Effect"). `@minsheng/domain/effect` lifts these into Effects for
 * programs written with Effect.
 */
export interface Left<E> {
  readonly _tag: "Left";
  readonly left: E;
}
export interface Right<A> {
  readonly _tag: "Right";
  readonly right: A;
}
export type Either<A, E> = Left<E> | Right<A>;

export const left = <E>(e: E): Either<never, E> => ({ _tag: "Left", left: e });
export const right = <A>(a: A): Either<A, never> => ({ _tag: "Right", right: a });
export const isLeft = <A, E>(x: Either<A, E>): x is Left<E> => x._tag === "Left";
export const isRight = <A, E>(x: Either<A, E>): x is Right<A> => x._tag === "Right";

export const map = <A, E, B>(x: Either<A, E>, f: (a: A) => B): Either<B, E> => (x._tag === "Right" ? right(f(x.right)) : x);

export const match = <A, E, B, C = B>(x: Either<A, E>, cases: { onLeft: (e: E) => B; onRight: (a: A) => C }): B | C =>
  x._tag === "Right" ? cases.onRight(x.right) : cases.onLeft(x.left);

/** The value, or throws what `onLeft` makes of the error. */
export const getOrThrowWith = <A, E>(x: Either<A, E>, onLeft: (e: E) => unknown): A => {
  if (x._tag === "Right") return x.right;
  throw onLeft(x.left);
};

/** The value, or throws the error itself. */
export const getOrThrow = <A, E>(x: Either<A, E>): A => getOrThrowWith(x, (e) => e);

export const getOrUndefined = <A, E>(x: Either<A, E>): A | undefined => (x._tag === "Right" ? x.right : undefined);
