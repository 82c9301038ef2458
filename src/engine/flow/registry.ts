import type { Flow } from './schema.ts';
import { normalizeCommandText } from '../commands.ts';

/**
 * All loaded flows, every version kept: a conversation goes on with the version it started with while that
 * version is loaded (old versions can stay loaded from `flows/archive/`), and is migrated when it is gone.
 */
export class FlowRegistry {
  private readonly byId = new Map<string, Map<number, Flow>>();
  private readonly triggers = new Map<string, string>();
  /** Longest first, so that "check in" is tried before "check". */
  private readonly argumentTriggers: { word: string; id: string }[] = [];

  constructor(flows: Flow[]) {
    for (const flow of flows) {
      let versions = this.byId.get(flow.id);
      if (!versions) this.byId.set(flow.id, (versions = new Map()));
      if (versions.has(flow.version)) {
        throw new Error(`flow \`${flow.id}\` version ${flow.version} is loaded twice (${versions.get(flow.version)!.file} and ${flow.file}); give one a new version`);
      }
      versions.set(flow.version, flow);
    }
    for (const id of this.byId.keys()) {
      for (const word of this.current(id).triggers) {
        const key = normalizeCommandText(word);
        const owner = this.triggers.get(key);
        if (owner && owner !== id) throw new Error(`trigger "${word}" is claimed by flows \`${owner}\` and \`${id}\`; keep it on one`);
        this.triggers.set(key, id);
      }
      for (const word of this.current(id).argumentTriggers) this.argumentTriggers.push({ word: normalizeCommandText(word), id });
    }
    this.argumentTriggers.sort((a, b) => b.word.length - a.word.length);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The newest loaded version. */
  current(id: string): Flow {
    const versions = this.byId.get(id);
    if (!versions) throw new Error(`flow \`${id}\` is not loaded; known flows: ${[...this.byId.keys()].join(', ')}`);
    let newest: Flow | undefined;
    for (const flow of versions.values()) if (!newest || flow.version > newest.version) newest = flow;
    return newest!;
  }

  /** A specific version, or undefined when that version is no longer loaded. */
  version(id: string, version: number): Flow | undefined {
    return this.byId.get(id)?.get(version);
  }

  byTrigger(text: string): Flow | undefined {
    const id = this.triggers.get(normalizeCommandText(text));
    return id ? this.current(id) : undefined;
  }

  /** A flow whose argument trigger begins the text, with the rest of the text (trimmed, not empty). */
  byArgumentTrigger(text: string): { flow: Flow; argument: string } | undefined {
    if (this.argumentTriggers.length === 0) return undefined;
    const normalized = normalizeCommandText(text);
    for (const { word, id } of this.argumentTriggers) {
      if (!normalized.startsWith(word)) continue;
      const rest = normalized.slice(word.length);
      // "mute training" and "签到123456", but not "checking" for "check".
      if (/^[a-z0-9]/i.test(rest) && /[a-z0-9]$/i.test(word)) continue;
      const argument = rest.trim();
      if (argument) return { flow: this.current(id), argument };
    }
    return undefined;
  }

  all(): Flow[] {
    return [...this.byId.values()].flatMap((versions) => [...versions.values()]);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}
