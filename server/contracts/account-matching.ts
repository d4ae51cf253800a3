import { z } from 'zod';

/**
 * One customer in two CRMs: the matching report of a workspace that connects a HubSpot portal and a
 * Salesforce org, and the admin's decisions on pairs (link by hand, confirm or reject a proposal,
 * unlink).
 */

const crmId = z.string().trim().min(1).max(255);
const count = z.int().min(0);

export const LINK_RULE_VALUES = ['connector_id', 'domain', 'manual'] as const;

export const matchCountsSchema = z.strictObject({
  connector_id: count,
  domain: count,
  manual: count,
  proposed: count,
  conflicts: count,
  unmatchedHubspot: count,
  unmatchedSalesforce: count,
});

export const matchProposalSchema = z.strictObject({
  hubspotId: z.string(),
  salesforceId: z.string(),
  similarity: z.number().min(0).max(1),
  hubspotName: z.string(),
  salesforceName: z.string(),
});

export const matchConflictSchema = z.strictObject({
  rule: z.enum(LINK_RULE_VALUES),
  key: z.string(),
  hubspotIds: z.array(z.string()),
  salesforceIds: z.array(z.string()),
  reason: z.string(),
});

/** What a matching run stores beside the links: counts per rule, conflicts, proposals for review. */
export const storedMatchReportSchema = z.strictObject({
  counts: matchCountsSchema,
  proposals: z.array(matchProposalSchema),
  conflicts: z.array(matchConflictSchema),
});
export type StoredMatchReport = z.infer<typeof storedMatchReportSchema>;

export const accountLinkSchema = z.strictObject({
  hubspotId: z.string(),
  salesforceId: z.string(),
  rule: z.enum(LINK_RULE_VALUES),
  hubspotName: z.string().nullable(),
  salesforceName: z.string().nullable(),
  linkedAt: z.iso.datetime(),
});

export const MATCH_CSV_TABLES = ['links', 'proposals', 'conflicts'] as const;

/** `GET /api/installations/:id/account-matches?page&pageSize`; `format=csv&table=…` exports a whole table. */
export const accountMatchesQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  format: z.enum(['json', 'csv']).optional(),
  table: z.enum(MATCH_CSV_TABLES).default('links'),
});

export const accountMatchesSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('single_crm'),
    message: z.string(),
  }),
  z.strictObject({
    status: z.literal('pending'),
    hubspotInstallationId: z.uuid(),
    salesforceInstallationId: z.uuid(),
  }),
  z.strictObject({
    status: z.literal('ready'),
    hubspotInstallationId: z.uuid(),
    salesforceInstallationId: z.uuid(),
    computedAt: z.iso.datetime(),
    ...storedMatchReportSchema.shape,
    links: z.array(accountLinkSchema),
    linksPage: z.strictObject({ page: count, pageSize: count, total: count }),
  }),
]);
export type AccountMatches = z.infer<typeof accountMatchesSchema>;

/** `POST …/account-matches/decisions`: link a pair (by hand, or a confirmed proposal) or reject it (unlink). */
export const matchDecisionSchema = z.strictObject({
  hubspotAccountId: crmId,
  salesforceAccountId: crmId,
  decision: z.enum(['linked', 'rejected']),
});

/** `DELETE …/account-matches/decisions?hubspotAccountId&salesforceAccountId`: the rules decide again. */
export const forgetDecisionSchema = z.strictObject({
  hubspotAccountId: crmId,
  salesforceAccountId: crmId,
});
