/**
 * The in-memory token store's layout: records packed into typed arrays, no heap object per
 * token (`MemoryTokenStore` keeps its records here on every runtime).
 *
 * @module
 */

import type { MemoryStoreOptions } from "./expiring_map.ts";
import { StoreFullError, type TokenRecord, type TokenStore } from "./token_store.ts";

/** As in `ExpiringMap`: expired entries dropped per `save` at most. */
const DROP_PER_SET = 64;

/** The token endpoint's keys: base64url(SHA-256), 43 ASCII characters, one byte each here. */
const KEY_CHARS = 43;

/**
 * The slot arrays grow by half again when full: JavaScriptCore counts their whole length in
 * the heap that sizes its young generation, touched or not, so slack costs like data.
 */
const GROWTH = 1.5;

/** The index: the smallest power of two at least twice the slots (at most half full). */
function tableLength(slots: number): number {
  let n = 2;
  while (n < 2 * slots) n *= 2;
  return n;
}

/** Slot flag: the key is not 43 ASCII characters and is kept as a string (`#oddKeyOf`). */
const ODD_KEY = 1;

/** One client's share, as in `MemoryTokenStore`, with slots and save serials instead of keys and records. */
interface PackedShare {
  count: number;
  slots: number[];
  serials: number[];
  head: number;
  lastExp: number;
  ordered: boolean;
}

/**
 * Whether `record` is exactly `{ client_id, scope, iat, exp }` (a plain object, those four own
 * enumerable properties and no other, of the types of {@link TokenRecord}): such a record is
 * kept as two interned strings and two numbers, and `find` builds an equal one. Any other
 * record (with `sub`, `aud`, `cnf`, ...) is kept as the object itself.
 */
function packable(r: TokenRecord): boolean {
  if (typeof r.client_id !== "string" || typeof r.scope !== "string" || typeof r.iat !== "number" || typeof r.exp !== "number") return false;
  if (Object.getPrototypeOf(r) !== Object.prototype) return false;
  let n = 0;
  for (const _ in r) n++;
  return n === 4 && Object.hasOwn(r, "client_id") && Object.hasOwn(r, "scope") && Object.hasOwn(r, "iat") &&
    Object.hasOwn(r, "exp") && Object.getOwnPropertySymbols(r).length === 0;
}

/**
 * A {@link TokenStore} that answers exactly as the Map of records over `ExpiringMap` that
 * `MemoryTokenStore` was until 2026-12 (the same records, refusals, `retryAfter` and sizes,
 * after the same sequence of calls; tests/packed_token_store.test.ts drives both, the Map's
 * version kept in tests/support), with the entries in typed arrays: a token's
 * key is 43 bytes in one large array, its record two interned strings and two numbers, its
 * place in insertion order two links, its index an open-addressing table of slot numbers.
 * On JavaScriptCore every request pays for the heap a process keeps (the young generation is
 * sized by it, and the request's garbage then runs through memory out of cache), and every
 * live object is work for a full collection: this store keeps about 126 bytes per token and
 * no object per token, against about 171 bytes in three objects for the Map of records
 * (bench/ANALYSIS.md, issue 15 third pass). On V8 (Node, Deno) the same layout saves the
 * scavenger's copies of every token's key and record, and the Map's chains: about 1.8 µs of
 * server CPU a request over loopback HTTP (issue 15, 2026-12-06). Keys of another form and records with optional
 * members are kept as they are, beside the arrays.
 *
 * A slot stays allocated while the map holds it or a client's share still lists it (the
 * share looks the key up again by the slot's bytes, as `MemoryTokenStore` does by key), so
 * slots are counted: freed when neither refers to them.
 *
 * @example
 * ```ts
 * import { PackedTokenStore } from "./packed_token_store.ts";
 * const store = new PackedTokenStore({ maxEntries: 1000 });
 * await store.save("k", { client_id: "c", scope: "", iat: 0, exp: 2 ** 31 });
 * (await store.find("k"))?.client_id; // "c"
 * ```
 */
export class PackedTokenStore implements TokenStore {
  #cap: number;
  #keys: Uint8Array;
  #hash: Uint32Array;
  #flags: Uint8Array;
  #exp: Float64Array;
  #iat: Float64Array;
  #client: Int32Array;
  #scope: Int32Array;
  #serial: Float64Array;
  #prev: Int32Array;
  #next: Int32Array;
  #refs: Int32Array;
  /** Open addressing, linear probing: slot + 1, 0 for empty; twice the slot capacity. */
  #table: Int32Array;
  #first = -1;
  #last = -1;
  /** Free slots, linked through `#next`; `#used` slots were ever handed out. */
  #free = -1;
  #used = 0;
  /** Slots held by the map or a share; the arrays shrink when they are a quarter of the capacity. */
  #inUse = 0;
  readonly #minCap: number;
  #serials = 0;
  /** The hash of the key `#find` last looked for, or -1 for a key kept as a string. */
  #keyHash = -1;
  readonly #oddKeys = new Map<string, number>();
  readonly #oddKeyOf = new Map<number, string>();
  readonly #objects = new Map<number, TokenRecord>();
  readonly #strings: string[] = [];
  readonly #stringRefs: number[] = [];
  readonly #stringIndex = new Map<string, number>();
  readonly #freeStrings: number[] = [];
  readonly #shares = new Map<string, PackedShare>();
  /** Shares dropped during an operation: their slot references are released at its end. */
  readonly #deadShares: PackedShare[] = [];
  #size = 0;
  readonly #maxEntries: number;
  readonly #quota: number;
  readonly #clock: () => number;
  #nextSweep = 0;
  #oldestExpires = -Infinity;

  /** `initialSlots` is for tests, to drive the growth of the arrays. */
  constructor(options: MemoryStoreOptions & { maxEntriesPerClient?: number } = {}, initialSlots = 1024) {
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    const quota = options.maxEntriesPerClient ?? Math.max(1, Math.floor(this.#maxEntries / 10));
    if (!Number.isSafeInteger(quota) || quota < 1) throw new RangeError("maxEntriesPerClient must be a positive integer");
    this.#quota = quota;
    this.#clock = options.clock ?? Date.now;
    const cap = this.#cap = this.#minCap = initialSlots;
    this.#keys = new Uint8Array(cap * KEY_CHARS);
    this.#hash = new Uint32Array(cap);
    this.#flags = new Uint8Array(cap);
    this.#exp = new Float64Array(cap);
    this.#iat = new Float64Array(cap);
    this.#client = new Int32Array(cap);
    this.#scope = new Int32Array(cap);
    this.#serial = new Float64Array(cap);
    this.#prev = new Int32Array(cap);
    this.#next = new Int32Array(cap);
    this.#refs = new Int32Array(cap);
    this.#table = new Int32Array(tableLength(cap));
  }

  /** The most records held at once. */
  get maxEntries(): number {
    return this.#maxEntries;
  }

  /** The number of records held, expired ones not yet dropped included. */
  get size(): number {
    return this.#size;
  }

  /** Slots the arrays have room for (for tests: they grow with the records held, not with the records ever saved). */
  get slotCapacity(): number {
    return this.#cap;
  }

  /** Distinct client ids and scopes held (for tests: released with their last record). */
  get internedStrings(): number {
    return this.#stringIndex.size;
  }

  save(key: string, record: TokenRecord): Promise<void> {
    try {
      const id = record.client_id;
      const held = this.#shares.get(id);
      if (held !== undefined && held.count >= this.#quota) {
        const s = this.#get(key);
        if (s < 0 || this.#clientOf(s) !== id) this.#refuseOverQuota(held, id);
      }
      const s = this.#set(key, record);
      let share = this.#shares.get(id);
      if (share === undefined) {
        this.#shares.set(id, share = { count: 0, slots: [], serials: [], head: 0, lastExp: -Infinity, ordered: true });
      }
      share.count++;
      share.slots.push(s);
      share.serials.push(this.#serial[s]!);
      this.#refs[s]!++;
      const exp = this.#exp[s]!;
      if (exp < share.lastExp) share.ordered = false;
      else share.lastExp = exp;
      if (share.slots.length - share.head > 2 * share.count + 64) this.#compact(share);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    } finally {
      this.#settle();
    }
  }

  find(key: string): Promise<TokenRecord | undefined> {
    const s = this.#get(key);
    const record = s < 0 ? undefined : this.#record(s);
    this.#settle();
    return Promise.resolve(record);
  }

  revoke(key: string): Promise<boolean> {
    const s = this.#get(key);
    if (s >= 0) this.#drop(s);
    this.#settle();
    return Promise.resolve(s >= 0);
  }

  /**
   * The end of every operation: the slots of shares dropped during it are released, and once
   * a quarter of the slots or fewer are held (after a spike has expired) the arrays shrink, so
   * memory follows the live set as the Map's does.
   */
  #settle(): void {
    if (this.#deadShares.length !== 0) this.#reclaim();
    if (this.#cap > this.#minCap && this.#inUse * 4 < this.#cap) this.#shrink();
  }

  #record(s: number): TokenRecord {
    const c = this.#client[s]!;
    if (c < 0) return this.#objects.get(s)!;
    return { client_id: this.#strings[c]!, scope: this.#strings[this.#scope[s]!]!, iat: this.#iat[s]!, exp: this.#exp[s]! };
  }

  #clientOf(s: number): string {
    const c = this.#client[s]!;
    return c < 0 ? this.#objects.get(s)!.client_id : this.#strings[c]!;
  }

  // --- the map: ExpiringMap's operations over slots -------------------------------------

  /** The slot of `key` in the map, or -1; `#keyHash` is left as the key's hash, or -1 for an odd key. */
  #find(key: string): number {
    if (key.length === KEY_CHARS) {
      let h = 0x811c9dc5;
      let or = 0;
      for (let i = 0; i < KEY_CHARS; i++) {
        const c = key.charCodeAt(i);
        or |= c;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (or < 128) {
        h >>>= 0;
        this.#keyHash = h;
        const table = this.#table;
        const mask = table.length - 1;
        const keys = this.#keys;
        for (let i = h & mask; ; i = (i + 1) & mask) {
          const t = table[i]!;
          if (t === 0) return -1;
          const s = t - 1;
          if (this.#hash[s] !== h) continue;
          const o = s * KEY_CHARS;
          let j = 0;
          while (j < KEY_CHARS && keys[o + j] === key.charCodeAt(j)) j++;
          if (j === KEY_CHARS) return s;
        }
      }
    }
    this.#keyHash = -1;
    return this.#oddKeys.get(key) ?? -1;
  }

  /** The map slot now holding the key that slot `k` was written with (`k` itself, or a later one), or -1. */
  #findKeyOf(k: number): number {
    if ((this.#flags[k]! & ODD_KEY) !== 0) return this.#oddKeys.get(this.#oddKeyOf.get(k)!) ?? -1;
    const h = this.#hash[k]!;
    const table = this.#table;
    const mask = table.length - 1;
    const keys = this.#keys;
    const ok = k * KEY_CHARS;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const t = table[i]!;
      if (t === 0) return -1;
      const s = t - 1;
      if (s === k) return s;
      if (this.#hash[s] !== h) continue;
      const o = s * KEY_CHARS;
      let j = 0;
      while (j < KEY_CHARS && keys[o + j] === keys[ok + j]) j++;
      if (j === KEY_CHARS) return s;
    }
  }

  /** `ExpiringMap.get`: the live slot of `key`, dropping it if it has expired. */
  #get(key: string): number {
    const s = this.#find(key);
    return s < 0 ? -1 : this.#liveSlot(s);
  }

  #liveSlot(s: number): number {
    if (this.#exp[s]! <= this.#clock() / 1000) {
      this.#drop(s);
      return -1;
    }
    return s;
  }

  /** `ExpiringMap.set`: stores the record under `key`, returns its slot; throws when full of live entries. */
  #set(key: string, record: TokenRecord): number {
    const now = this.#clock() / 1000;
    this.#dropOldest(now);
    let s = this.#find(key);
    const h = this.#keyHash;
    if (s < 0 && this.#size >= this.#maxEntries) {
      this.#sweep(now);
      if (this.#size >= this.#maxEntries) throw this.#full(now);
    }
    if (s >= 0) {
      // The old record leaves (its client's count), the key keeps its place in insertion order.
      this.#released(this.#clientOf(s));
      this.#unpack(s);
    } else {
      s = this.#allocate(key, h);
      this.#size++;
    }
    this.#pack(s, record);
    this.#serial[s] = ++this.#serials;
    return s;
  }

  #full(now: number): StoreFullError {
    return new StoreFullError("the store is full of live entries", Math.max(1, Math.ceil(this.#nextSweep - now)));
  }

  #dropOldest(now: number): void {
    if (now < this.#oldestExpires) return;
    let n = 0;
    for (let s = this.#first; s !== -1;) {
      const exp = this.#exp[s]!;
      if (exp > now) {
        this.#oldestExpires = exp;
        return;
      }
      if (n++ === DROP_PER_SET) {
        this.#oldestExpires = -Infinity;
        return;
      }
      const next = this.#next[s]!;
      this.#drop(s);
      s = next;
    }
    this.#oldestExpires = -Infinity;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    let earliest = Infinity;
    for (let s = this.#first; s !== -1;) {
      const next = this.#next[s]!;
      const exp = this.#exp[s]!;
      if (exp <= now) this.#drop(s);
      else if (exp < earliest) earliest = exp;
      s = next;
    }
    this.#nextSweep = earliest;
  }

  /** Removes slot `s` from the map (expired, revoked): its client's count, its index, its links. */
  #drop(s: number): void {
    this.#released(this.#clientOf(s));
    this.#unpack(s);
    this.#size--;
    const prev = this.#prev[s]!;
    const next = this.#next[s]!;
    if (prev === -1) this.#first = next;
    else this.#next[prev] = next;
    if (next === -1) this.#last = prev;
    else this.#prev[next] = prev;
    if ((this.#flags[s]! & ODD_KEY) !== 0) this.#oddKeys.delete(this.#oddKeyOf.get(s)!);
    else this.#unindex(s);
    this.#serial[s] = 0;
    this.#unref(s);
  }

  /** A new slot for `key` (hash `h`, or -1 for an odd key), last in insertion order and indexed. */
  #allocate(key: string, h: number): number {
    if (this.#free === -1 && this.#used === this.#cap) this.#grow();
    let s: number;
    if (this.#free !== -1) {
      s = this.#free;
      this.#free = this.#next[s]!;
    } else {
      s = this.#used++;
    }
    this.#inUse++;
    this.#refs[s] = 1;
    this.#prev[s] = this.#last;
    this.#next[s] = -1;
    if (this.#last === -1) this.#first = s;
    else this.#next[this.#last] = s;
    this.#last = s;
    if (h === -1) {
      this.#flags[s] = ODD_KEY;
      this.#oddKeys.set(key, s);
      this.#oddKeyOf.set(s, key);
    } else {
      this.#flags[s] = 0;
      this.#hash[s] = h;
      const o = s * KEY_CHARS;
      for (let i = 0; i < KEY_CHARS; i++) this.#keys[o + i] = key.charCodeAt(i);
      this.#index(s);
    }
    return s;
  }

  #unref(s: number): void {
    if (--this.#refs[s]! !== 0) return;
    if ((this.#flags[s]! & ODD_KEY) !== 0) this.#oddKeyOf.delete(s);
    this.#next[s] = this.#free;
    this.#free = s;
    this.#inUse--;
  }

  #index(s: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let i = this.#hash[s]! & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = s + 1;
  }

  /** Deletion from linear probing by shifting back the entries after it (no tombstones). */
  #unindex(s: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let i = this.#hash[s]! & mask;
    while (table[i] !== s + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const t = table[j]!;
      if (t === 0) break;
      const home = this.#hash[t - 1]! & mask;
      // Entry t may move to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        table[i] = t;
        i = j;
      }
    }
    table[i] = 0;
  }

  #grow(): void {
    const cap = Math.ceil(this.#cap * GROWTH);
    const widen = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(old: T, make: new (n: number) => T, per = 1): T => {
      const a = new make(cap * per);
      a.set(old);
      return a;
    };
    this.#keys = widen(this.#keys, Uint8Array, KEY_CHARS);
    this.#hash = widen(this.#hash, Uint32Array);
    this.#flags = widen(this.#flags, Uint8Array);
    this.#exp = widen(this.#exp, Float64Array);
    this.#iat = widen(this.#iat, Float64Array);
    this.#client = widen(this.#client, Int32Array);
    this.#scope = widen(this.#scope, Int32Array);
    this.#serial = widen(this.#serial, Float64Array);
    this.#prev = widen(this.#prev, Int32Array);
    this.#next = widen(this.#next, Int32Array);
    this.#refs = widen(this.#refs, Int32Array);
    this.#cap = cap;
    this.#table = new Int32Array(tableLength(cap));
    for (let s = this.#first; s !== -1; s = this.#next[s]!) if ((this.#flags[s]! & ODD_KEY) === 0) this.#index(s);
  }

  /**
   * Moves the held slots (in the map or listed by a share) to the front of arrays of twice
   * their number, in slot order, and renumbers every reference to them: links, index, the
   * side maps, the shares. Slot numbers are never part of an answer.
   */
  #shrink(): void {
    const used = this.#used;
    const to = new Int32Array(used).fill(-1);
    let n = 0;
    for (let s = 0; s < used; s++) if (this.#refs[s]! > 0) to[s] = n++;
    const cap = Math.max(this.#minCap, 2 * n);
    const keys = new Uint8Array(cap * KEY_CHARS);
    const hash = new Uint32Array(cap);
    const flags = new Uint8Array(cap);
    const exp = new Float64Array(cap);
    const iat = new Float64Array(cap);
    const client = new Int32Array(cap);
    const scope = new Int32Array(cap);
    const serial = new Float64Array(cap);
    const prev = new Int32Array(cap);
    const next = new Int32Array(cap);
    const refs = new Int32Array(cap);
    const link = (s: number) => (s === -1 ? -1 : to[s]!);
    for (let s = 0; s < used; s++) {
      const t = to[s]!;
      if (t === -1) continue;
      keys.set(this.#keys.subarray(s * KEY_CHARS, (s + 1) * KEY_CHARS), t * KEY_CHARS);
      hash[t] = this.#hash[s]!;
      flags[t] = this.#flags[s]!;
      exp[t] = this.#exp[s]!;
      iat[t] = this.#iat[s]!;
      client[t] = this.#client[s]!;
      scope[t] = this.#scope[s]!;
      serial[t] = this.#serial[s]!;
      refs[t] = this.#refs[s]!;
      // Links of a slot only a share still lists (serial 0) are stale and never followed.
      prev[t] = this.#serial[s] === 0 ? -1 : link(this.#prev[s]!);
      next[t] = this.#serial[s] === 0 ? -1 : link(this.#next[s]!);
    }
    this.#keys = keys;
    this.#hash = hash;
    this.#flags = flags;
    this.#exp = exp;
    this.#iat = iat;
    this.#client = client;
    this.#scope = scope;
    this.#serial = serial;
    this.#prev = prev;
    this.#next = next;
    this.#refs = refs;
    this.#first = link(this.#first);
    this.#last = link(this.#last);
    this.#free = -1;
    this.#used = n;
    this.#cap = cap;
    for (const [key, s] of this.#oddKeys) this.#oddKeys.set(key, to[s]!);
    const oddKeyOf = [...this.#oddKeyOf];
    this.#oddKeyOf.clear();
    for (const [s, key] of oddKeyOf) this.#oddKeyOf.set(to[s]!, key);
    const objects = [...this.#objects];
    this.#objects.clear();
    for (const [s, record] of objects) this.#objects.set(to[s]!, record);
    for (const share of this.#shares.values()) {
      share.slots = share.slots.slice(share.head).map((s) => to[s]!);
      share.serials = share.serials.slice(share.head);
      share.head = 0;
    }
    this.#table = new Int32Array(tableLength(cap));
    for (let s = this.#first; s !== -1; s = this.#next[s]!) if ((this.#flags[s]! & ODD_KEY) === 0) this.#index(s);
  }

  // --- records ---------------------------------------------------------------------------

  #pack(s: number, record: TokenRecord): void {
    this.#exp[s] = record.exp;
    if (packable(record)) {
      this.#client[s] = this.#intern(record.client_id);
      this.#scope[s] = this.#intern(record.scope);
      this.#iat[s] = record.iat;
    } else {
      this.#client[s] = -1;
      this.#objects.set(s, record);
    }
  }

  #unpack(s: number): void {
    const c = this.#client[s]!;
    if (c < 0) {
      this.#objects.delete(s);
    } else {
      this.#release(c);
      this.#release(this.#scope[s]!);
    }
  }

  #intern(v: string): number {
    let i = this.#stringIndex.get(v);
    if (i === undefined) {
      i = this.#freeStrings.pop() ?? this.#strings.length;
      this.#strings[i] = v;
      this.#stringRefs[i] = 0;
      this.#stringIndex.set(v, i);
    }
    this.#stringRefs[i]!++;
    return i;
  }

  #release(i: number): void {
    if (--this.#stringRefs[i]! !== 0) return;
    this.#stringIndex.delete(this.#strings[i]!);
    this.#strings[i] = "";
    this.#freeStrings.push(i);
  }

  // --- per-client shares: MemoryTokenStore's, over slots -----------------------------------

  #released(id: string): void {
    const share = this.#shares.get(id);
    if (share !== undefined && --share.count <= 0) {
      this.#shares.delete(id);
      this.#deadShares.push(share);
    }
  }

  /** Releases the slots that the shares dropped during the operation listed (they may still be walked until its end). */
  #reclaim(): void {
    for (const share of this.#deadShares.splice(0)) {
      for (let i = share.head; i < share.slots.length; i++) this.#unref(share.slots[i]!);
      share.head = share.slots.length;
    }
  }

  #refuseOverQuota(share: PackedShare, id: string): void {
    if (!share.ordered) this.#compact(share, true);
    while (share.head < share.slots.length && !this.#live(share, share.head)) {
      this.#unref(share.slots[share.head]!);
      share.head++;
    }
    if (share.count < this.#quota || this.#shares.get(id) !== share) return;
    const retryAfter = share.head === share.slots.length
      ? 1
      : Math.max(1, Math.ceil(this.#exp[share.slots[share.head]!]! - this.#clock() / 1000));
    throw new StoreFullError("this client holds as many live tokens as it may", retryAfter);
  }

  /**
   * Whether entry `i` of a share is still held: `MemoryTokenStore` looks its key up (dropping
   * what is under it if expired) and compares the record; here the key is found by the
   * slot's bytes and the record by its save serial.
   */
  #live(share: PackedShare, i: number): boolean {
    const k = share.slots[i]!;
    const s = this.#findKeyOf(k);
    if (s < 0 || this.#liveSlot(s) < 0) return false;
    return s === k && this.#serial[s] === share.serials[i];
  }

  #compact(share: PackedShare, sort = false): void {
    const live: number[] = [];
    for (let i = share.head; i < share.slots.length; i++) if (this.#live(share, i)) live.push(i);
    if (sort) live.sort((a, b) => this.#exp[share.slots[a]!]! - this.#exp[share.slots[b]!]!);
    const slots = live.map((i) => share.slots[i]!);
    const serials = live.map((i) => share.serials[i]!);
    for (const s of slots) this.#refs[s]!++;
    for (let i = share.head; i < share.slots.length; i++) this.#unref(share.slots[i]!);
    share.slots = slots;
    share.serials = serials;
    share.head = 0;
    if (sort) {
      share.ordered = true;
      share.lastExp = slots.length === 0 ? -Infinity : this.#exp[slots[slots.length - 1]!]!;
    }
  }
}
