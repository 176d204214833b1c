/**
 * `@minsheng/domain/effect`: the domain's rules as Effects, for programs written with Effect (the
 * platform's own code calls the plain functions; see docs/ARCHITECTURE.md, "Effect"). Failures are
 * the same tagged errors; "now" comes from Effect's Clock, so TestClock fixes it in tests.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { parseBundle, type Bundle } from "./bundle.js";
import { chinaDate, periodAt } from "./calendar.js";
import type { Either } from "./either.js";
import type { BundleInvalid } from "./errors.js";
import { type EvaluateError, type EvaluateOptions, type Evaluation, evaluateBundleEither } from "./evaluate.js";
import type { DisclosureContent } from "./disclosure.js";
import type { Period } from "./period.js";

/** A domain result as an Effect. */
export const fromEither = <A, E>(x: Either<A, E>): Effect.Effect<A, E> => (x._tag === "Right" ? Effect.succeed(x.right) : Effect.fail(x.left));

/** `parseBundle` as an Effect. */
export const decodeBundle = (input: unknown): Effect.Effect<Bundle, BundleInvalid> => fromEither(parseBundle(input));

/** `evaluateBundle` as an Effect with its typed errors. */
export const evaluateBundleEffect = (bundle: unknown, options: EvaluateOptions, content?: DisclosureContent): Effect.Effect<Evaluation, EvaluateError> =>
  fromEither(evaluateBundleEither(bundle, options, content));

/**
 * Today's month from the injected clock (Effect's Clock service), so tests and batch jobs can fix
 * "now" with TestClock or a custom Clock instead of reading the system time.
 */
export const currentPeriod: Effect.Effect<Period> = Effect.map(Clock.currentTimeMillis, periodAt);

/** Today's date in China from the injected clock. */
export const currentChinaDate: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, chinaDate);
