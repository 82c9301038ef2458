/**
 * A name as shown to the public (certificate verification): first and last character kept, the rest hidden —
 * 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明, "Li Lei" → "L****i".
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}
