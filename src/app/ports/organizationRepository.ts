/** 两新组织: a non-public enterprise or a social organisation, one record per organisation. */
export interface Organization {
  id: string;
  name: string;
  type: 'enterprise' | 'social';
  /** 规模以上 or not; null until someone says. */
  sizeClass: 'aboveDesignatedSize' | 'belowDesignatedSize' | null;
  regionCode: string;
  /** Employees (polls will use it to size the respondent group); null until known. */
  employees: number | null;
  /** Unified social credit code (GB 32100), when given. */
  uscc: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrganizationInput {
  name: string;
  type: Organization['type'];
  sizeClass: Organization['sizeClass'];
  regionCode: string;
  employees: number | null;
  uscc: string | null;
}

export interface OrganizationRepository {
  /**
   * The organisation's record, created when new: matched by unified social credit code when one is given, else by
   * name within the region (an unnamed-code record found by name gets the code). Facts given (size, employees)
   * update the record. Safe under concurrent calls for the same organisation: one record results.
   */
  upsert(input: OrganizationInput, now: Date): Promise<Organization>;
  get(id: string): Promise<Organization | null>;
}

/** The name as matched: spacing, width and case do not make another organisation. */
export function organizationNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}
