/**
 * Validation of an imported conversation file, field by field. The file is untrusted: every value is
 * checked for its type and bounds, and each object is rebuilt from the known fields only, so nothing
 * unchecked (an extra field, a prototype key) reaches the store. The first problem throws an
 * ImportError naming where it is; there is never a partial result.
 */
import type { GenerateParams } from '$workers/lib/engine/types';
import { TEMPLATE_LABELS, type TemplateId } from '$workers/lib/templates/index';
import type { GenStats, TokenCheck } from '../reply-check';
import { PARAM_RANGES } from '../settings';
import {
  CONVERSATION_SCHEMA_VERSION,
  type Conversation,
  type ConversationModel,
  type StoredMessage,
  type StoredState,
} from './types';

/** An import refused, with a message for the user that names what is wrong and where. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/** The largest file the app reads (the caller checks File.size before reading it). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** Bounds far above anything the app writes, low enough that a hostile file cannot bloat the store. */
export const LIMITS = {
  conversations: 10_000,
  messages: 20_000,
  id: 200,
  title: 1_000,
  systemPrompt: 200_000,
  content: 2_000_000,
  error: 10_000,
  modelSpec: 4_096,
  modelLabel: 1_000,
  exportedAt: 100,
} as const;

export const APP_NAME = 'starling-playground';
export const EXPORT_KIND = 'conversations';

const TEMPLATE_IDS = Object.keys(TEMPLATE_LABELS) as TemplateId[];
const STATES: readonly StoredState[] = ['done', 'stopped', 'error'];
const PARAM_KEYS = Object.keys(PARAM_RANGES) as (keyof typeof PARAM_RANGES)[];
const SHA256 = /^[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Own fields only: `"__proto__"` or `"toString"` in the file never read through to Object's. */
const get = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/** Reads the fields of one object, each error prefixed with where the object is in the file. */
class Fields {
  constructor(
    private readonly o: Obj,
    private readonly where: string,
  ) {}

  fail(msg: string): never {
    throw new ImportError(`${this.where}: ${msg}`);
  }

  has(key: string): boolean {
    return get(this.o, key) !== undefined;
  }

  raw(key: string): unknown {
    return get(this.o, key);
  }

  string(key: string, max: number, opts: { nonEmpty?: boolean } = {}): string {
    const v = get(this.o, key);
    if (typeof v !== 'string') this.fail(`${key} must be a string`);
    if (opts.nonEmpty && v.length === 0) this.fail(`${key} must not be empty`);
    if (v.length > max) this.fail(`${key} is longer than ${max} characters`);
    return v;
  }

  stringOrNull(key: string, max: number): string | null {
    return get(this.o, key) === null ? null : this.string(key, max, { nonEmpty: true });
  }

  bool(key: string): boolean {
    const v = get(this.o, key);
    if (typeof v !== 'boolean') this.fail(`${key} must be true or false`);
    return v;
  }

  boolOrNull(key: string): boolean | null {
    return get(this.o, key) === null ? null : this.bool(key);
  }

  number(key: string, min = 0, max = Number.MAX_SAFE_INTEGER, integer = false): number {
    const v = get(this.o, key);
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${key} must be a number`);
    if (integer && !Number.isInteger(v)) this.fail(`${key} must be a whole number`);
    if (v < min || v > max) {
      this.fail(max === Number.MAX_SAFE_INTEGER ? `${key} must be at least ${min} (it is ${v})` : `${key} must be between ${min} and ${max} (it is ${v})`);
    }
    return v;
  }

  numberOrNull(key: string): number | null {
    return get(this.o, key) === null ? null : this.number(key);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = get(this.o, key);
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(`${key} must be ${allowed.slice(0, -1).join(', ')}${allowed.length > 2 ? ',' : ''} or ${allowed[allowed.length - 1]}`);
    }
    return v as T;
  }

  object(key: string): Fields {
    const v = get(this.o, key);
    if (!isObj(v)) this.fail(`${key} must be an object`);
    return new Fields(v, `${this.where}, ${key}`);
  }

  array(key: string, max: number): unknown[] {
    const v = get(this.o, key);
    if (!Array.isArray(v)) this.fail(`${key} must be a list`);
    if (v.length > max) this.fail(`${key} holds more than ${max} entries`);
    return v;
  }
}

function readParams(f: Fields): GenerateParams {
  const p = {} as GenerateParams;
  for (const key of PARAM_KEYS) {
    const r = PARAM_RANGES[key];
    p[key] = f.number(key, r.min, r.max, r.step === 1);
  }
  // The seed is optional, an integer ≥ 0 (the hosted API's rule).
  if (f.has('seed')) p.seed = f.number('seed', 0, Number.MAX_SAFE_INTEGER, true);
  return p;
}

function readModel(f: Fields): ConversationModel {
  const m: ConversationModel = { spec: f.stringOrNull('spec', LIMITS.modelSpec), label: f.string('label', LIMITS.modelLabel) };
  if (f.has('sha256')) {
    const h = f.string('sha256', 64);
    if (!SHA256.test(h)) f.fail('sha256 must be 64 lowercase hex digits');
    m.sha256 = h;
  }
  return m;
}

function readStats(f: Fields): GenStats {
  return {
    promptTps: f.number('promptTps'),
    genTps: f.number('genTps'),
    ttftMs: f.number('ttftMs'),
    backend: f.oneOf('backend', ['cpu', 'webgpu'] as const),
    build: f.oneOf('build', ['default', 'compat', 'own'] as const),
    threads: f.number('threads', 0, 1024, true),
    promptTokens: f.number('promptTokens', 0, Number.MAX_SAFE_INTEGER, true),
    cachedTokens: f.number('cachedTokens', 0, Number.MAX_SAFE_INTEGER, true),
    genTokens: f.number('genTokens', 0, Number.MAX_SAFE_INTEGER, true),
  };
}

function readTokenCheck(f: Fields): TokenCheck {
  const engine = f.numberOrNull('engine');
  if (engine !== null && !Number.isInteger(engine)) f.fail('engine must be a whole number');
  return { ours: f.number('ours', 0, Number.MAX_SAFE_INTEGER, true), engine, textMatches: f.boolOrNull('textMatches'), ok: f.bool('ok') };
}

function readMessage(raw: unknown, where: string): StoredMessage {
  if (!isObj(raw)) throw new ImportError(`${where}: must be an object`);
  const f = new Fields(raw, where);
  const m: StoredMessage = {
    id: f.string('id', LIMITS.id, { nonEmpty: true }),
    parentId: f.stringOrNull('parentId', LIMITS.id),
    role: f.oneOf('role', ['user', 'assistant'] as const),
    content: f.string('content', LIMITS.content),
    state: f.oneOf('state', STATES),
    createdAt: f.number('createdAt'),
  };
  if (f.has('error')) m.error = f.string('error', LIMITS.error);
  if (f.has('stats')) m.stats = readStats(f.object('stats'));
  if (f.has('tokenCheck')) m.tokenCheck = readTokenCheck(f.object('tokenCheck'));
  if (f.has('leftOut')) m.leftOut = f.number('leftOut', 0, LIMITS.messages, true);
  return m;
}

/** Parents name messages of the same conversation, and following them always ends at a root. */
function checkTree(messages: StoredMessage[], where: string): Map<string, StoredMessage> {
  const byId = new Map<string, StoredMessage>();
  messages.forEach((m, i) => {
    if (byId.has(m.id)) throw new ImportError(`${where}, message ${i + 1}: id "${m.id}" is used by another message`);
    byId.set(m.id, m);
  });
  messages.forEach((m, i) => {
    if (m.parentId !== null && !byId.has(m.parentId)) {
      throw new ImportError(`${where}, message ${i + 1}: parentId "${m.parentId}" names no message of this conversation`);
    }
  });
  // Each message is walked up until a root or a message already known to reach one: O(n) in all.
  const reachesRoot = new Set<string>();
  messages.forEach((m, i) => {
    const path = new Set<string>();
    let cur: StoredMessage | undefined = m;
    while (cur && !reachesRoot.has(cur.id)) {
      if (path.has(cur.id)) throw new ImportError(`${where}, message ${i + 1}: its parents form a cycle`);
      path.add(cur.id);
      cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
    }
    for (const id of path) reachesRoot.add(id);
  });
  return byId;
}

function readConversation(raw: unknown, where: string): Conversation {
  if (!isObj(raw)) throw new ImportError(`${where}: must be an object`);
  const f = new Fields(raw, where);
  const c: Conversation = {
    id: f.string('id', LIMITS.id, { nonEmpty: true }),
    title: f.string('title', LIMITS.title),
    createdAt: f.number('createdAt'),
    updatedAt: f.number('updatedAt'),
    systemPrompt: f.string('systemPrompt', LIMITS.systemPrompt),
    template: f.oneOf('template', TEMPLATE_IDS),
    coding: f.bool('coding'),
    model: f.raw('model') === null ? null : readModel(f.object('model')),
    params: readParams(f.object('params')),
    messages: f.array('messages', LIMITS.messages).map((m, i) => readMessage(m, `${where}, message ${i + 1}`)),
    leafId: f.stringOrNull('leafId', LIMITS.id),
  };
  if (f.has('titleEdited')) c.titleEdited = f.bool('titleEdited');
  const byId = checkTree(c.messages, where);
  if (c.leafId !== null && !byId.has(c.leafId)) f.fail(`leafId "${c.leafId}" names no message of this conversation`);
  return c;
}

/**
 * The conversations of an export file (all of them, or one: the same envelope), checked completely.
 * Throws ImportError on the first problem; returns nothing partial.
 */
export function parseConversationImport(text: string): Conversation[] {
  if (text.length > MAX_IMPORT_BYTES) throw new ImportError(`The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ImportError(`The file is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!isObj(data)) throw new ImportError('The file is not a conversation export: it holds no JSON object.');
  const f = new Fields(data, 'The file');
  if (get(data, 'app') !== APP_NAME) throw new ImportError('The file was not exported by Starling Playground (its "app" field is missing or different).');
  if (get(data, 'kind') !== EXPORT_KIND) throw new ImportError('The file is not a conversation export (its "kind" is not "conversations").');
  const version = f.number('schemaVersion', 1, Number.MAX_SAFE_INTEGER, true);
  if (version > CONVERSATION_SCHEMA_VERSION) {
    throw new ImportError(`The file was made by a newer version of the app (schema ${version}; this one reads up to ${CONVERSATION_SCHEMA_VERSION}). Update the app to import it.`);
  }
  f.string('exportedAt', LIMITS.exportedAt);
  const list = f.array('conversations', LIMITS.conversations);
  if (list.length === 0) throw new ImportError('The file holds no conversations.');
  const convs = list.map((c, i) => readConversation(c, `Conversation ${i + 1}`));
  const seen = new Map<string, number>();
  convs.forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) throw new ImportError(`Conversation ${i + 1}: id "${c.id}" is also the id of conversation ${first + 1}`);
    seen.set(c.id, i);
  });
  return convs;
}
