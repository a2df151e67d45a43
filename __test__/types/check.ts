// Type-level checks for the type tests: never run, only compiled.

/** True when A and B are the same type (`any` is only the same as `any`). */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * `typeOf(value).is<T>()` compiles only when the type of `value` is exactly `T`: the call
 * otherwise asks for an argument nobody can give.
 */
export declare function typeOf<Actual>(value: Actual): {
  is<Expected>(...mismatch: Same<Actual, Expected> extends true ? [] : [expected: Expected, actual: Actual]): void;
};

/** `never` checks: a type that must be `never`. */
export declare function isNever<T>(...mismatch: [T] extends [never] ? [] : [notNever: T]): void;
