import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Amazon's published SP-API models (Swagger 2.0) and JSON Schemas, read from `../shared/amazon` beside the project
 * (reference data, see its README), or from AMAZON_MODELS_DIR. They are the sandbox's contract: every request is
 * validated against its operation's parameters and body schema, every reply against the response schema of its status.
 */
export const MODELS_DIR = path.resolve(
  process.env.AMAZON_MODELS_DIR ?? path.join(import.meta.dirname, '../../../shared/amazon'),
);

/** The API models the sandbox serves (operations we use; the others in each model are served too where they are). */
export const MODEL_FILES = [
  'listingsItems_2021-08-01.json',
  'feeds_2021-06-30.json',
  'vendorDirectFulfillmentInventoryV1.json',
  'vendorTransactionStatus.json',
  'orders_2026-01-01.json',
] as const;

export interface SwaggerParam {
  name: string;
  in: 'path' | 'query' | 'body' | 'header' | 'formData';
  required?: boolean;
  type?: string;
  items?: Record<string, unknown>;
  schema?: Record<string, unknown>;
  collectionFormat?: string;
  [k: string]: unknown;
}

export interface Operation {
  /** operationId, e.g. `patchListingsItem`. */
  id: string;
  /** `operationId@model-file`, the key of amazon-rate-limits.json. */
  key: string;
  model: string;
  method: string;
  path: string;
  params: SwaggerParam[];
  /** Validates `{ <name>: value }` for every path and query parameter (after csv splitting and type coercion). */
  validateParams: ValidateFunction;
  validateBody?: ValidateFunction;
  /** Response schema validators by status code (null: the model declares no body). */
  responses: Map<number, ValidateFunction | null>;
  match(pathname: string): Record<string, string> | null;
}

export interface RateLimit {
  rate: number;
  burst: number;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function readJson(file: string): Record<string, unknown> {
  const full = path.join(MODELS_DIR, file);
  if (!fs.existsSync(full))
    throw new Error(
      `Amazon model ${file} not found in ${MODELS_DIR} (the sandbox validates against ../shared/amazon; set AMAZON_MODELS_DIR)`,
    );
  return JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, unknown>;
}

/** One Ajv for every model: Swagger's vendor keywords (x-…, example) are ignored, its formats checked. */
function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addFormat('double', true); // Swagger's numeric formats say nothing JSON Schema can check
  return ajv;
}

const PARAM_SCHEMA_KEYS = [
  'type',
  'items',
  'enum',
  'format',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
];

export class Models {
  readonly ajv = newAjv();
  readonly operations: Operation[] = [];
  readonly rateLimits: Record<string, RateLimit & { method: string; path: string }>;
  /** listings-feed-schema-v2.json with each message left to `messageValidators` (so one bad message is its own issue). */
  readonly validateFeedEnvelope: ValidateFunction;
  /** Each message against the feed schema's message item and listings-feed-message-schema-v2.json. */
  readonly messageValidators: ValidateFunction[];
  readonly validateProcessingReport: ValidateFunction;
  readonly feedSchema: Record<string, unknown>;

  constructor() {
    for (const file of MODEL_FILES) this.load(file);
    this.rateLimits = readJson('amazon-rate-limits.json') as Models['rateLimits'];
    this.feedSchema = readJson('listings-feed-schema-v2.json');
    const props = this.feedSchema.properties as Record<string, Record<string, unknown>>;
    const messages = props.messages!;
    this.validateFeedEnvelope = this.ajv.compile({
      ...this.feedSchema,
      $id: 'listings-feed-schema-v2-envelope',
      properties: { ...props, messages: { ...messages, items: true } },
    });
    const messageSchema = readJson('listings-feed-message-schema-v2.json');
    this.messageValidators = [
      this.ajv.compile({ $schema: this.feedSchema.$schema as string, ...(messages.items as object) }),
      this.ajv.compile(messageSchema),
    ];
    this.validateProcessingReport = this.ajv.compile(readJson('listings-feed-processing-report-schema-v2.json'));
  }

  private load(file: string): void {
    const model = readJson(file) as {
      definitions?: Record<string, unknown>;
      paths: Record<string, Record<string, unknown>>;
    };
    const id = file.replace(/\.json$/, '');
    this.ajv.addSchema({ $id: id, definitions: model.definitions ?? {} });
    const ref = (schema: Record<string, unknown>) => rebase(schema, id);
    for (const [p, item] of Object.entries(model.paths)) {
      const shared = (item.parameters as SwaggerParam[] | undefined) ?? [];
      for (const [method, raw] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const op = raw as { operationId: string; parameters?: SwaggerParam[]; responses: Record<string, unknown> };
        const params = [...shared, ...(op.parameters ?? [])];
        const scalar = params.filter((q) => q.in === 'path' || q.in === 'query');
        const paramSchema = {
          type: 'object',
          properties: Object.fromEntries(
            scalar.map((q) => [
              q.name,
              Object.fromEntries(PARAM_SCHEMA_KEYS.filter((k) => k in q).map((k) => [k, q[k]])),
            ]),
          ),
          required: scalar.filter((q) => q.required).map((q) => q.name),
          additionalProperties: false,
        };
        const body = params.find((q) => q.in === 'body');
        const responses = new Map<number, ValidateFunction | null>();
        for (const [status, r] of Object.entries(op.responses)) {
          const schema = (r as { schema?: Record<string, unknown> }).schema;
          responses.set(Number(status), schema ? this.ajv.compile(ref(schema)) : null);
        }
        const names: string[] = [];
        const regex = new RegExp(
          `^${p.replace(/\{(\w+)\}/g, (_, n: string) => {
            names.push(n);
            return '([^/]+)';
          })}$`,
        );
        this.operations.push({
          id: op.operationId,
          key: `${op.operationId}@${file}`,
          model: file,
          method: method.toUpperCase(),
          path: p,
          params,
          validateParams: this.ajv.compile(paramSchema),
          validateBody: body?.schema ? this.ajv.compile(ref(body.schema)) : undefined,
          responses,
          match: (pathname) => {
            const m = regex.exec(pathname);
            if (!m) return null;
            try {
              return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
            } catch {
              return null;
            }
          },
        });
      }
    }
  }

  operation(id: string): Operation {
    const op = this.operations.find((o) => o.id === id || o.key === id);
    if (!op) throw new Error(`no operation ${id} in the models`);
    return op;
  }

  /** Converts path and query strings into the parameter types the model declares (csv arrays, integers, booleans). */
  coerceParams(op: Operation, pathParams: Record<string, string>, query: URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = { ...pathParams };
    const declared = new Map(op.params.map((p) => [p.name, p]));
    for (const name of new Set(query.keys())) {
      const p = declared.get(name);
      const values = query.getAll(name);
      if (!p || p.in !== 'query') {
        out[name] = values[0]; // undeclared: additionalProperties rejects it
        continue;
      }
      if (p.type === 'array') out[name] = values.flatMap((v) => v.split(',')).map((v) => coerce(v, p.items?.type));
      else out[name] = coerce(values[values.length - 1]!, p.type);
    }
    return out;
  }
}

function coerce(v: string, type: unknown): unknown {
  if (type === 'integer' || type === 'number') return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  if (type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
  return v;
}

/** Swagger's `#/definitions/X` refs, resolved against the model's own definitions (registered under its file name). */
function rebase(schema: Record<string, unknown>, id: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\/definitions\//g, `"$ref":"${id}#/definitions/`));
}

/** Ajv's errors as one line each: `/patches/0/op must be equal to one of the allowed values (add, replace, …)`. */
export function describeErrors(errors: ErrorObject[] | null | undefined, prefix = ''): string[] {
  return (errors ?? []).map((e) => {
    const where = `${prefix}${e.instancePath}` || '(root)';
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    return `${where} ${e.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
  });
}

let shared: Models | undefined;
/** The models, compiled once per process (a few hundred ms). */
export function loadModels(): Models {
  return (shared ??= new Models());
}
