// Request bodies of the API, as zod schemas: checked at the edge and published in the OpenAPI document.
import { z } from 'zod';

const reason = (description: string) => z.string().trim().min(1).max(2000).meta({ description });

const environment = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
  .optional()
  .meta({
    description: 'The environment (required when the app declares more than one).',
    examples: ['production'],
  });

export const specSourceBody = z
  .object({
    file: z
      .string()
      .min(1)
      .max(4096)
      .meta({
        description:
          'Path of the spec file: shown in problems, and relative working directories resolve against its folder.',
        examples: ['/srv/shop/greenlight.yaml'],
      }),
    text: z.string().max(1_000_000).meta({ description: 'The YAML text of the spec.' }),
  })
  .strict();

export const deployBody = z
  .object({
    version: z
      .string()
      .min(1)
      .max(128)
      .meta({ description: 'The version to release.', examples: ['v2'] }),
    reason: reason('Why (shown in history).').optional(),
    environment,
    emergency: z
      .object({
        justification: z.string().trim().min(10).max(2000).meta({
          description: 'Why this cannot wait for a deployment window (recorded and notified).',
        }),
      })
      .strict()
      .optional()
      .meta({
        description:
          'An emergency release: bypasses deployment windows (and approvals if the policy says so).',
      }),
    commitTime: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'When the change was committed, for lead time in the report.' }),
    commit: z.string().min(1).max(200).optional().meta({ description: 'The commit, shown in history.' }),
  })
  .strict();

export const promoteBody = z
  .object({
    full: z
      .boolean()
      .optional()
      .meta({ description: 'Skip the remaining steps and promote now.', default: false }),
    environment,
  })
  .strict();

export const optionalReasonBody = z
  .object({ reason: reason('Why (recorded in the event).').optional(), environment })
  .strict();

export const requiredReasonBody = z
  .object({ reason: reason('Why (recorded in the event).'), environment })
  .strict();

export const approveBody = z
  .object({
    reason: reason('What was checked before approving (recorded in the event).'),
    environment,
    release: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'The release id (default: the one in progress).' }),
  })
  .strict();

export const rollbackBody = z
  .object({
    reason: reason('Why (recorded in the event).'),
    toRevision: z.number().int().min(1).optional().meta({
      description: 'Revision number to return to (default: the latest revision with another version).',
    }),
    environment,
  })
  .strict();

export const trafficBody = z
  .object({
    to: z
      .string()
      .min(1)
      .max(128)
      .meta({ description: 'Version that gets `percentage` of the traffic.', examples: ['v2'] }),
    percentage: z
      .number()
      .min(0)
      .max(100)
      .meta({ description: 'Share of traffic for `to`; the live version gets the rest.' }),
    reason: reason('Why (recorded in the event).'),
    environment,
  })
  .strict();
