import type { WorkerProfile } from '../../domain/worker/profile.ts';

export interface WorkerRecord extends WorkerProfile {
  id: string;
  channel: string;
  userId: string;
  registeredAt: Date;
  updatedAt: Date;
}

export type CreateWorkerResult =
  | { status: 'created'; worker: WorkerRecord }
  /** The ID number is registered from another account. */
  | { status: 'duplicateId' }
  /** This account already has a worker profile. */
  | { status: 'alreadyRegistered' };

/** Workers' profiles. Implementations keep ID and mobile numbers encrypted and look them up by HMAC. */
export interface WorkerRepository {
  findByAccount(channel: string, userId: string): Promise<WorkerRecord | null>;
  findById(id: string): Promise<WorkerRecord | null>;
  findByIdNumber(idNumber: string): Promise<WorkerRecord | null>;
  create(channel: string, userId: string, profile: WorkerProfile, now: Date): Promise<CreateWorkerResult>;
  update(channel: string, userId: string, changes: Partial<Omit<WorkerProfile, 'idNumber' | 'gender' | 'birthDate'>>, now: Date): Promise<WorkerRecord | null>;
}
