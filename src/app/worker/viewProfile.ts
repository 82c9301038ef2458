import { maskIdNumber } from '../../domain/identity/idNumber.ts';
import { regionPath, type RegionNode } from '../../domain/regions/regions.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';

/** `worker.profile`: the caller's own profile for display (ID masked), or `{ registered: false }`. */
export function viewProfile(deps: { workers: WorkerRepository; regions: RegionNode[] }): ActionHandler {
  return async (_args, ctx) => {
    const w = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!w) return { registered: false };
    const regionName = regionPath(deps.regions, w.regionCode)
      .map((n) => (n.name as Record<string, string>)[ctx.locale] ?? n.name['zh-CN'])
      .join(' / ');
    const view: Record<string, AnswerValue> = {
      registered: true,
      name: w.name,
      mobile: w.mobile,
      idMasked: maskIdNumber(w.idNumber),
      gender: w.gender,
      birthDate: w.birthDate,
      membership: w.membership,
      joinDate: w.joinDate,
      orgName: w.orgName,
      orgType: w.orgType,
      role: w.role,
      regionCode: w.regionCode,
      regionName: regionName || w.regionCode,
      workStart: w.workStart,
      education: w.education,
      professionalTitle: w.professionalTitle,
      registeredOn: w.registeredAt.toISOString().slice(0, 10),
    };
    return view;
  };
}
