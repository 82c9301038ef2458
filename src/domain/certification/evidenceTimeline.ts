import type { Application, ApplicationStatus, StageId } from './types.ts';

/** One evidence photo as a reviewer lists it: which one (the admin API's index), and when and at what point it came. */
export interface EvidenceEntry {
  index: number;
  /** ISO time it came: the submission for the declaration's photos, else the worker's addEvidence event. */
  at: string;
  /** 'declaration': sent with the application; 'added': sent later. */
  came: 'declaration' | 'added';
  stage: StageId;
  /** The application's status when it came: 'returned' means it answers a return for correction. */
  status: ApplicationStatus;
}

/** The application's photos in order, each with when it came (from the history; nothing extra is stored). */
export function evidenceTimeline(app: Application): EvidenceEntry[] {
  const submitted = app.history.find((e) => e.action === 'submit');
  const added = new Map<number, (typeof app.history)[number]>();
  for (const e of app.history) if (e.action === 'addEvidence' && typeof e.data?.index === 'number') added.set(e.data.index, e);
  return app.evidence.map((_, index) => {
    const event = added.get(index);
    if (event) return { index, at: event.at, came: 'added', stage: event.fromStage ?? app.stage, status: event.fromStatus ?? app.status };
    return { index, at: submitted?.at ?? app.createdAt, came: 'declaration', stage: submitted?.toStage ?? app.stage, status: 'open' };
  });
}
