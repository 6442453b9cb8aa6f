// The kinds an API server serves: kiln's own (registry.ts KINDS), the built-in kinds stored as they
// are (builtin.ts), and the kinds CustomResourceDefinitions add at run time. One KindRegistry per
// server owns the run-time part; whoever caches what depends on it (discovery, OpenAPI) listens
// with onChange or compares `revision`. Pure: no IO.
import type { KindInfo } from '../registry.ts';
import { KINDS } from '../registry.ts';
import { GENERIC_KINDS } from './builtin.ts';

/** What changed in one setCustom call. */
export interface KindChange {
  added: KindInfo[];
  removed: KindInfo[];
  /** kinds whose definition changed (versions, schema, columns, names) */
  changed: KindInfo[];
}

const resourceKey = (k: { group: string; plural: string }): string => `${k.group}/${k.plural}`;

/** The served kinds: fixed ones, then those CRDs define (which never shadow a fixed one). */
export class KindRegistry {
  readonly #fixed: readonly KindInfo[];
  readonly #fixedKeys: ReadonlySet<string>;
  #custom: readonly KindInfo[] = [];
  #all: readonly KindInfo[];
  #revision = 0;
  readonly #listeners = new Set<(change: KindChange) => void>();

  /** `fixed`: the kinds served from the start (default: kiln's kinds and the built-in generic kinds). */
  constructor(fixed: readonly KindInfo[] = [...KINDS, ...GENERIC_KINDS]) {
    this.#fixed = fixed;
    this.#fixedKeys = new Set(fixed.map(resourceKey));
    this.#all = fixed;
  }

  /** Grows by one on every change: caches keyed by it are stale when it moved. */
  get revision(): number {
    return this.#revision;
  }

  /** Every served kind, fixed ones first. */
  all(): readonly KindInfo[] {
    return this.#all;
  }

  /** The kinds CRDs added. */
  custom(): readonly KindInfo[] {
    return this.#custom;
  }

  /** Whether group/plural is one of the kinds served from the start (a CRD cannot replace it). */
  isFixed(group: string, plural: string): boolean {
    return this.#fixedKeys.has(resourceKey({ group, plural }));
  }

  /** A kind by kind name (case-insensitive), plural, singular or short name; in `group` when given. */
  find(name: string, group?: string): KindInfo | undefined {
    const n = name.toLowerCase();
    return this.#all.find((k) => (group === undefined || k.group === group) &&
      (k.kind.toLowerCase() === n || k.plural === n || k.singular === n || k.shortNames.includes(n)));
  }

  /** The kind served as `group`/`plural`. */
  byResource(group: string, plural: string): KindInfo | undefined {
    return this.#all.find((k) => k.group === group && k.plural === plural);
  }

  /** Kinds served under a group/version. */
  inGroupVersion(group: string, version: string): KindInfo[] {
    return this.#all.filter((k) => k.group === group && k.versions.includes(version));
  }

  /** Every group/version served (core `v1` has group ''), in the order kinds declare them. */
  groupVersions(): Array<{ group: string; version: string }> {
    const seen = new Map<string, { group: string; version: string }>();
    for (const k of this.#all) for (const v of k.versions) seen.set(`${k.group}/${v}`, { group: k.group, version: v });
    return [...seen.values()];
  }

  /**
   * Replaces the CRD-defined kinds with `kinds` (one per group/plural; those that would shadow a
   * fixed kind are left out). Listeners hear of it, and `revision` moves, only when something changed.
   */
  setCustom(kinds: readonly KindInfo[]): KindChange {
    const next = new Map<string, KindInfo>();
    for (const k of kinds) if (!this.#fixedKeys.has(resourceKey(k)) && !next.has(resourceKey(k))) next.set(resourceKey(k), k);
    const before = new Map(this.#custom.map((k) => [resourceKey(k), k]));
    const change: KindChange = { added: [], removed: [], changed: [] };
    for (const [key, k] of next) {
      const old = before.get(key);
      if (!old) change.added.push(k);
      else if (JSON.stringify(old) !== JSON.stringify(k)) change.changed.push(k);
    }
    for (const [key, k] of before) if (!next.has(key)) change.removed.push(k);
    if (!change.added.length && !change.removed.length && !change.changed.length) return change;
    this.#custom = [...next.values()];
    this.#all = [...this.#fixed, ...this.#custom];
    this.#revision++;
    for (const l of this.#listeners) l(change);
    return change;
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: (change: KindChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** The kinds served without any CRD (what a server starts with); never changed. */
export const FIXED_KINDS: KindRegistry = new KindRegistry();
