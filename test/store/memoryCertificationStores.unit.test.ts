import {
  createMemoryAdminRepository,
  createMemoryAnnualRecordRepository,
  createMemoryApplicationRepository,
  createMemoryAuditLog,
  createMemoryCertificateRepository,
} from '../support/memoryCertificationStores.ts';
import {
  adminRepositoryContract,
  annualRecordRepositoryContract,
  applicationRepositoryContract,
  auditLogContract,
  certificateRepositoryContract,
} from './certificationContracts.ts';

// The same suites as the MongoDB stores (test/store/mongo/certificationStores.test.ts): the unit tests of the use
// cases can trust these doubles as far as the contract goes.
applicationRepositoryContract('in-memory test double', async () => createMemoryApplicationRepository());
certificateRepositoryContract('in-memory test double', async () => createMemoryCertificateRepository());
annualRecordRepositoryContract('in-memory test double', async () => createMemoryAnnualRecordRepository());
adminRepositoryContract('in-memory test double', async () => createMemoryAdminRepository());
auditLogContract('in-memory test double', async () => createMemoryAuditLog());
