/** Offsets as the settings form shows them: hours, comma-separated ("24, 2"). */
export function offsetsText(hours: readonly number[]): string {
  return hours.join(', ');
}

/** "24, 2" → [24, 2]; null when any part is not a number of hours (the form then says so and sends nothing). */
export function parseOffsets(text: string): number[] | null {
  const parts = text.split(/[,，\s]+/).filter((p) => p !== '');
  if (parts.length === 0) return null;
  const hours = parts.map(Number);
  return hours.every((h) => Number.isFinite(h) && h >= 0) ? hours : null;
}
