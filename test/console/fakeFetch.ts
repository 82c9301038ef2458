/** A fetch that records what the console's client sent and answers from a script: no network in unit tests. */
export interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer = { status: number; body?: unknown; text?: string; headers?: Record<string, string> } | Error;

export function fakeFetch(answer: (sent: Sent) => Answer) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const s: Sent = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(s);
    const a = answer(s);
    if (a instanceof Error) throw a;
    const text = a.text ?? (a.body === undefined ? '' : JSON.stringify(a.body));
    return new Response(a.status === 204 ? null : text, { status: a.status, headers: { 'Content-Type': a.text !== undefined ? 'text/html' : 'application/json', ...a.headers } });
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}
