/** The results of a closed poll as the page shows them: a row per group, a bar series per answer option. */
import { GROUPS, type PollGroup, type PollResults } from './api.ts';

export interface ResultRow {
  group: PollGroup;
  hidden: boolean;
  answers: number | null;
  /** Answers to the overall question per option (the scale, best first). */
  counts: Record<string, number>;
}

export const SCALE = ['veryPleased', 'pleased', 'neutral', 'displeased'];

export function resultRows(r: PollResults): ResultRow[] {
  return GROUPS.filter((g) => r.groups?.[g] !== undefined).map((group) => {
    const g = r.groups![group]!;
    if ('hidden' in g) return { group, hidden: true, answers: null, counts: {} };
    return { group, hidden: false, answers: g.answers, counts: { ...g.counts.overall } };
  });
}

/** A stacked bar per shown group (hidden groups get no bar: their counts are not known to the page). */
export function resultsChart(rows: ResultRow[], label: (key: string) => string) {
  const shown = rows.filter((x) => !x.hidden);
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: shown.map((x) => label(`polls.group.${x.group}`)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: SCALE.map((o) => ({ name: label(`polls.scale.${o}`), type: 'bar', stack: 'answers', data: shown.map((x) => x.counts[o] ?? 0) })),
  };
}
