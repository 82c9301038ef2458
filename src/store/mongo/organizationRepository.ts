import { randomUUID } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { organizationNameKey, type Organization, type OrganizationRepository } from '../../app/ports/organizationRepository.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * One document per organisation. `matchKey` is `uscc:<code>` for organisations with a credit code and
 * `name:<region>:<name>` for the others; its unique index is what makes two concurrent registrations from one
 * organisation end in one record, without transactions.
 */
interface OrganizationDoc extends Omit<Organization, 'id'> {
  _id: string;
  matchKey: string;
}

const schema = new Schema<OrganizationDoc>(
  {
    _id: String,
    matchKey: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    type: { type: String, required: true },
    sizeClass: { type: String, default: null },
    regionCode: { type: String, required: true, index: true },
    employees: { type: Number, default: null },
    uscc: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'organizations', versionKey: false, _id: false },
);

const toOrganization = ({ _id, matchKey: _m, ...rest }: OrganizationDoc): Organization => ({ id: _id, ...rest });

export function createMongoOrganizationRepository(connection: Connection): OrganizationRepository {
  const organizations = typedCollection<OrganizationDoc>(connection, 'Organization', schema);
  const nameKey = (regionCode: string, name: string) => `name:${regionCode}:${organizationNameKey(name)}`;

  return {
    async upsert(input, now) {
      const facts: Partial<OrganizationDoc> = { updatedAt: now, type: input.type };
      if (input.sizeClass) facts.sizeClass = input.sizeClass;
      if (input.employees !== null) facts.employees = input.employees;
      if (input.uscc) {
        // Known by name without a code: give that record the code (it leaves the name namespace).
        const byName = await organizations.findOneAndUpdate(
          { matchKey: nameKey(input.regionCode, input.name) },
          { $set: { ...facts, uscc: input.uscc, matchKey: `uscc:${input.uscc}` } },
          { returnDocument: 'after' },
        ).catch((err: unknown) => (isDuplicateKey(err) ? null : Promise.reject(err)));
        if (byName) return toOrganization(byName);
      }
      const matchKey = input.uscc ? `uscc:${input.uscc}` : nameKey(input.regionCode, input.name);
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const doc = await organizations.findOneAndUpdate(
            { matchKey },
            {
              $set: facts,
              $setOnInsert: { _id: randomUUID().replace(/-/g, '').slice(0, 24), name: input.name, regionCode: input.regionCode, uscc: input.uscc, createdAt: now, ...(input.sizeClass ? {} : { sizeClass: null }), ...(input.employees === null ? { employees: null } : {}) },
            },
            { upsert: true, returnDocument: 'after' },
          );
          // An upsert returning the document after always has one; null would be a driver or server fault.
          if (!doc) throw new Error(`the upsert of organisation ${input.name} returned no document`);
          return toOrganization(doc);
        } catch (err) {
          // Two first registrations of one organisation at once: the loser's upsert hits the unique key; read again.
          if (!isDuplicateKey(err)) throw err;
        }
      }
      throw new Error(`could not record organisation ${input.name}`);
    },
    async get(id) {
      const doc = await organizations.findOne({ _id: id });
      return doc ? toOrganization(doc) : null;
    },
  };
}
