/**
 * Words every JavaScript object answers to through its prototype, as a user or a platform might send them: the
 * table of the "user input is never looked up through inherited object keys" regressions.
 */
export const INHERITED_NAMES = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'] as const;

/** The spellings the command matcher folds together: as is, upper case, `/name`, `name!`. */
const SPELLINGS: ((w: string) => string)[] = [(w) => w, (w) => w.toUpperCase(), (w) => `/${w}`, (w) => `${w}!`];

/** Every name in every spelling. */
export function inheritedNameVariants(): string[] {
  return INHERITED_NAMES.flatMap((w) => SPELLINGS.map((spell) => spell(w)));
}

/**
 * Every name once, each in one spelling, rotating from `offset`: end-to-end tests send these (the engine tests send
 * every variant), so that each name and each spelling still reaches each waiting point.
 */
export function inheritedNamesRotating(offset: number): string[] {
  return INHERITED_NAMES.map((w, i) => SPELLINGS[(i + offset) % SPELLINGS.length]!(w));
}

/** The internal-error reply (templates/<locale>/common.yaml internalError), in both locales. */
export const INTERNAL_ERROR = /系统暂时出现问题|something went wrong on our side/;
