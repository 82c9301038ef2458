/**
 * A record's value under `key`, or undefined when the record does not hold that key itself. A plain `record[key]`
 * also finds what every object inherits: with a key a user, a platform or a data file chose, `constructor`,
 * `toString` or `__proto__` would read a function or Object.prototype instead of "absent".
 */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
