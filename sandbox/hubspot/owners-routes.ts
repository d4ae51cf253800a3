import express, { type Router } from 'express';
import { z } from 'zod';
import { crmCall, locals, type SandboxContext } from './context.ts';
import { sendNotFound } from './errors.ts';
import type { OwnerRecord } from './portal-store.ts';
import { booleanFlag } from './request-schemas.ts';
import { parseInput } from './route-input.ts';

/** `/crm/v3/owners`: the portal's users who can own records. Route names: `crm.owners.list`, `crm.owners.get`. */

const listQuery = z.object({
  email: z.string().optional(),
  after: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  archived: booleanFlag,
});

function presentOwner(owner: OwnerRecord) {
  return {
    id: owner.id,
    email: owner.email,
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    type: 'PERSON',
    createdAt: new Date(owner.createdAt).toISOString(),
    updatedAt: new Date(owner.updatedAt).toISOString(),
    archived: owner.archived,
  };
}

export function ownersRouter(ctx: SandboxContext): Router {
  const router = express.Router();

  router.get(
    '/crm/v3/owners',
    ...crmCall(ctx, 'crm.owners.list', 'standard', (req, res) => {
      const query = parseInput(listQuery, req.query, res);
      if (!query) return;
      const { email, after, limit, archived } = query;
      const owners = [...locals(res).portal.owners.values()].filter(
        (owner) =>
          owner.archived === archived &&
          (email === undefined || owner.email.toLowerCase() === email.toLowerCase()) &&
          (after === undefined || Number(owner.id) >= Number(after)),
      );
      const page = owners.slice(0, limit);
      const next = owners[limit];
      res.json({
        results: page.map(presentOwner),
        ...(next ? { paging: { next: { after: next.id, link: `?after=${next.id}` } } } : {}),
      });
    }),
  );

  router.get(
    '/crm/v3/owners/:ownerId',
    ...crmCall(ctx, 'crm.owners.get', 'standard', (req, res) => {
      const owner = locals(res).portal.owners.get(req.params.ownerId as string);
      if (!owner) sendNotFound(res);
      else res.json(presentOwner(owner));
    }),
  );

  return router;
}
