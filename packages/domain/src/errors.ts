/**
 * A class of errors with a `_tag` naming the error and readonly fields, like Effect's
 * Data.TaggedError (a tagged error works as an Effect failure too) without loading Effect.
 */
export function TaggedError<Tag extends string>(tag: Tag) {
  class Tagged extends Error {
    readonly _tag: Tag = tag;
    constructor(fields: object) {
      super();
      Object.assign(this, fields);
      this.name = tag;
    }
  }
  return Tagged as unknown as new <A extends Record<string, unknown>>(fields: A) => Error & { readonly _tag: Tag } & Readonly<A>;
}

/** One problem found in an input, located by its JSON path ($.targets[3].region). */
export interface Problem {
  /** JSONPath-style location, e.g. `$.targets[3].region` */
  readonly path: string;
  /** What is wrong, in plain words. */
  readonly message: string;
  /** What kind of problem, for translation: zod's issue code (`too_small` …) or an error code. */
  readonly code?: string;
  /** The figures the message names (`minimum`, `expected` …), by name. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Renders a path of keys as `$.a[0].b`. */
export const jsonPath = (keys: ReadonlyArray<PropertyKey>): string =>
  keys.reduce<string>(
    (acc, key) =>
      typeof key === "number"
        ? `${acc}[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(key))
          ? `${acc}.${String(key)}`
          : `${acc}[${JSON.stringify(String(key))}]`,
    "$",
  );

/** A bundle broke its schema or its references; every problem is listed, not the first only. */
export class BundleInvalid extends TaggedError("BundleInvalid")<{
  readonly problems: ReadonlyArray<Problem>;
}> {
  override get message(): string {
    const shown = this.problems.slice(0, 20).map((p) => `${p.path}: ${p.message}`);
    const more = this.problems.length > 20 ? `\n… and ${this.problems.length - 20} more` : "";
    return `invalid bundle (${this.problems.length} problem${this.problems.length === 1 ? "" : "s"}):\n${shown.join("\n")}${more}`;
  }
}

/** Input (other than a bundle) that breaks its schema: options, a report, a scoring scheme. */
export class InvalidInput extends TaggedError("InvalidInput")<{
  readonly problems: ReadonlyArray<Problem>;
}> {
  override get message(): string {
    return this.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
  }
}

/** A region code that the plan does not know. */
export class UnknownRegion extends TaggedError("UnknownRegion")<{ readonly region: string }> {
  override get message(): string {
    return `unknown region ${this.region}`;
  }
}

/** A plan id that the bundle does not hold. */
export class UnknownPlan extends TaggedError("UnknownPlan")<{ readonly plan: string }> {
  override get message(): string {
    return `unknown plan ${this.plan}`;
  }
}

/** A state change that the verification workflow does not allow (e.g. verifying a draft). */
export class TransitionNotAllowed extends TaggedError("TransitionNotAllowed")<{
  readonly from: string;
  readonly action: string;
  readonly reason: string;
}> {
  override get message(): string {
    return `cannot ${this.action} a report that is ${this.from}: ${this.reason}`;
  }
}

export type DomainError = BundleInvalid | InvalidInput | UnknownRegion | UnknownPlan | TransitionNotAllowed;
