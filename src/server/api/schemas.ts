// Request bodies of the API, as zod schemas: checked at the edge and published in the OpenAPI document.
import { z } from 'zod';

const reason = (description: string) => z.string().trim().min(1).max(2000).meta({ description });

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
  })
  .strict();

export const promoteBody = z
  .object({
    full: z
      .boolean()
      .optional()
      .meta({ description: 'Skip the remaining steps and promote now.', default: false }),
  })
  .strict();

export const optionalReasonBody = z
  .object({ reason: reason('Why (recorded in the event).').optional() })
  .strict();

export const requiredReasonBody = z.object({ reason: reason('Why (recorded in the event).') }).strict();

export const rollbackBody = z
  .object({
    reason: reason('Why (recorded in the event).'),
    toRevision: z.number().int().min(1).optional().meta({
      description: 'Revision number to return to (default: the latest revision with another version).',
    }),
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
  })
  .strict();
