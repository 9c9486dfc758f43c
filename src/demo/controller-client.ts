// A minimal client of the controller API for the demo: the same routes the CLI uses.
import { GreenlightError, type ErrorCode } from '../errors.js';

export class DemoApi {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const e = (data ?? {}) as { code?: ErrorCode; message?: string; details?: Record<string, unknown> };
      throw new GreenlightError(
        e.code ?? 'GL9000',
        e.message ?? `${method} ${path} answered ${response.status}`,
        e.details ?? {},
      );
    }
    return data as T;
  }
}
