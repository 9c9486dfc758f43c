// What a webhook delivery says: one line for people, the JSON payload, and the Slack incoming-webhook message.
// Event data is read defensively: an event written by an older or newer controller may lack any field.
import type { GreenlightEvent } from '../engine/model.js';

export interface JsonPayload {
  delivery: string;
  id: number;
  at: string;
  app: string | null;
  releaseId: number | null;
  actor: { name: string; role: string };
  action: string;
  reason: string | null;
  data: Record<string, unknown>;
  text: string;
}

export interface SlackPayload {
  text: string;
  blocks: [
    { type: 'section'; text: { type: 'mrkdwn'; text: string } },
    { type: 'context'; elements: [{ type: 'mrkdwn'; text: string }] },
  ];
}

function str(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(data: Record<string, unknown>, key: string): number | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `errorRate 0.3 > 0.05 over 120 requests`, or the event's message, or ''. */
function detailText(data: Record<string, unknown>): string {
  const value = num(data, 'value');
  const max = num(data, 'max');
  if (value !== undefined && max !== undefined) {
    const requests = num(data, 'requests');
    const metric = str(data, 'metric') ?? str(data, 'name') ?? 'value';
    return `${metric} ${Number(value.toPrecision(3))} > ${max}${requests === undefined ? '' : ` over ${requests} requests`}`;
  }
  return str(data, 'message') ?? '';
}

/** The controller itself is not named as the one who did something; people and tokens are. */
function byPerson(event: GreenlightEvent): string {
  return event.actor.role === 'system' ? '' : ` by ${event.actor.name}`;
}

/** One line for people, e.g. `shop v2 promoted (release 12)`. */
export function describeEvent(event: GreenlightEvent): string {
  const data = event.data ?? {};
  const app = event.app ?? 'greenlight';
  const version = str(data, 'version');
  const subject = version === undefined ? app : `${app} ${version}`;
  const release = event.releaseId === null ? '' : ` (release ${event.releaseId})`;
  const reason = event.reason ? `: ${event.reason}` : '';
  const detail = detailText(data);

  switch (event.action) {
    case 'release.created':
      return `${subject} started${byPerson(event)}${reason}${release}`;
    case 'release.promoted':
      return `${subject} promoted${release}`;
    case 'release.rolledBack': {
      const by = event.reason ? ` by ${event.reason}` : byPerson(event);
      return `${subject} rolled back${by}${detail ? `: ${detail}` : ''}${release}`;
    }
    case 'release.aborted':
      return `${subject} aborted${byPerson(event)}${reason}${release}`;
    case 'release.failed':
      return `${subject} failed${reason}${detail && !event.reason ? `: ${detail}` : ''}${release}`;
    case 'release.emergency':
      return `EMERGENCY ${subject} started${byPerson(event)}${event.reason ? `: ${JSON.stringify(event.reason)}` : ''}${release}`;
    case 'trigger.fired': {
      const trigger = str(data, 'name') ?? event.reason?.replace(/^trigger:/, '') ?? 'a trigger';
      return `${subject}: trigger ${trigger} fired${detail ? `: ${detail}` : ''}${release}`;
    }
    case 'approval.requested':
      return `${subject}: approval requested${reason}${release}`;
  }
  if (event.action.startsWith('approval.')) {
    const what = event.action.slice('approval.'.length);
    return `${subject}: approval ${what} by ${event.actor.name} (${event.actor.role})${reason}${release}`;
  }
  return `${app}: ${event.action}${release}`;
}

/** The body of a `json` webhook: the stored event, the delivery id and the line for people. */
export function jsonPayload(event: GreenlightEvent, delivery: string): JsonPayload {
  return {
    delivery,
    id: event.id,
    at: event.at,
    app: event.app,
    releaseId: event.releaseId,
    actor: { name: event.actor.name, role: event.actor.role },
    action: event.action,
    reason: event.reason,
    data: event.data ?? {},
    text: describeEvent(event),
  };
}

const EMOJI: Record<string, string> = {
  'release.created': ':rocket:',
  'release.promoted': ':white_check_mark:',
  'release.rolledBack': ':rotating_light:',
  'release.aborted': ':no_entry_sign:',
  'release.failed': ':x:',
  'release.emergency': ':fire:',
  'trigger.fired': ':warning:',
  'approval.requested': ':raising_hand:',
  'approval.granted': ':thumbsup:',
};

/** Slack's mrkdwn treats &, < and > as markup (links, mentions): escape them in our text. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The body of a `slack` webhook: a Slack incoming-webhook message. */
export function slackPayload(event: GreenlightEvent): SlackPayload {
  const text = `${EMOJI[event.action] ?? ':information_source:'} ${escapeMrkdwn(describeEvent(event))}`;
  const context = escapeMrkdwn(`${event.actor.name} (${event.actor.role}) · ${event.at} · event ${event.id}`);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
}
