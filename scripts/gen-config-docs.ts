/**
 * `npm run gen:config`: writes `checkout.config.schema.json` (the JSON Schema editors check
 * `checkout.config.json` against) and `docs/proxy-config.md` (the reference of every setting),
 * both from the one zod schema: `ProxyConfig` in src/proxy/config.ts, with each provider's
 * options. Descriptions and units are that schema's metadata. A test fails when either file is
 * out of date, and parses every example configuration of the reference with `parseConfig`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { ProxyConfig } from '../src/proxy/config.js';

export const SCHEMA_FILE = 'checkout.config.schema.json';
export const DOCS_FILE = 'docs/proxy-config.md';

/** A JSON Schema node, as zod writes it (plus our `unit`). */
export interface Node {
  type?: string;
  title?: string;
  description?: string;
  unit?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  items?: Node;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  propertyNames?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  [key: string]: unknown;
}

/** What `parseConfig` replaces with an environment variable before validating (see `substitute`). */
export const PLACEHOLDER = '\\$\\{[A-Z0-9_]+\\}';
/** The `format`s of JSON Schema that zod writes; its own (`includes`, `starts_with`…) duplicate a `pattern`. */
const STANDARD_FORMATS = new Set(['uri', 'email', 'date-time', 'date', 'time', 'duration', 'uuid', 'ipv4', 'ipv6', 'hostname']);

/** Rewrites every node of a JSON Schema, children first. */
function mapNodes(node: Node, visit: (node: Node, key: string | undefined) => Node, key?: string): Node {
  const out: Node = {};
  for (const [name, value] of Object.entries(node)) {
    if (name === 'properties') out.properties = Object.fromEntries(Object.entries(value as Record<string, Node>).map(([k, v]) => [k, mapNodes(v, visit)]));
    else if (name === 'items' || name === 'additionalProperties' || name === 'propertyNames') out[name] = typeof value === 'object' ? mapNodes(value as Node, visit, name) : value;
    else if (name === 'anyOf' || name === 'oneOf') out[name] = (value as Node[]).map((v) => mapNodes(v, visit));
    else out[name] = value;
  }
  return visit(out, key);
}

/**
 * The configuration's JSON Schema as zod writes it for the input (`io: 'input'`: defaults
 * filled in by the proxy are optional), without the bounds every JavaScript integer has and
 * without zod's own `format` names.
 */
export function configJsonSchema(): Node {
  const schema = z.toJSONSchema(ProxyConfig, { io: 'input' }) as Node;
  return mapNodes(schema, (node) => {
    const out = { ...node };
    if (out.type === 'integer' && out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
    if (out.type === 'integer' && out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
    if (out.format && !STANDARD_FORMATS.has(out.format)) delete out.format;
    return out;
  });
}

const CONSTRAINTS = ['pattern', 'minLength', 'format', 'enum'] as const;

/**
 * What an editor checks the file against: the input schema, where a constrained string may
 * also be a `${NAME}` the proxy takes from the environment (`"apiKey": "${API_KEY}"` is the
 * documented way to keep secrets out of the file). Object keys and `provider` are never replaced.
 */
export function editorJsonSchema(): Node {
  return mapNodes(configJsonSchema(), (node, key) => {
    if (key === 'propertyNames' || node.type !== 'string' || !CONSTRAINTS.some((c) => c in node)) return node;
    const { type, description, unit, default: fallback, ...rest } = node;
    const checks = Object.fromEntries(Object.entries(rest).filter(([name]) => (CONSTRAINTS as readonly string[]).includes(name)));
    const others = Object.fromEntries(Object.entries(rest).filter(([name]) => !(CONSTRAINTS as readonly string[]).includes(name)));
    return {
      ...(fallback === undefined ? {} : { default: fallback }),
      ...(description === undefined ? {} : { description }),
      ...(unit === undefined ? {} : { unit }),
      type,
      ...others,
      anyOf: [checks, { pattern: PLACEHOLDER, description: 'An environment variable, replaced at start.' }],
    };
  });
}

export function generateConfigSchema(): string {
  return `${JSON.stringify(editorJsonSchema(), null, 2)}\n`;
}

// ------------------------------------------------------------------ the reference

/** One row of a settings table. */
export interface Setting {
  path: string;
  node: Node;
  required: boolean;
  /** The variant of a union it belongs to (`bearer` for `auth.login`). */
  variant?: string;
}

/** The property that tells a union's variants apart (`provider`, `mode`), if any. */
function discriminator(variants: Node[]): string | undefined {
  const first = variants[0]?.properties ?? {};
  return Object.keys(first).find((name) => variants.every((v) => v.properties?.[name]?.const !== undefined));
}

/** Flattens an object's settings: nested objects and maps as dotted paths, list items as `[]`. */
export function settingsOf(node: Node, prefix = '', variant?: string, stopAt: ReadonlySet<string> = new Set()): Setting[] {
  const rows: Setting[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = prefix + name;
    rows.push({ path, node: child, required: (node.required ?? []).includes(name) && child.default === undefined, variant });
    if (!stopAt.has(path)) rows.push(...childSettings(child, path, variant));
  }
  return rows;
}

function childSettings(node: Node, path: string, variant?: string): Setting[] {
  if (node.properties) return settingsOf(node, `${path}.`, variant);
  if (node.items?.properties) return settingsOf(node.items, `${path}[].`, variant);
  if (typeof node.additionalProperties === 'object' && node.additionalProperties.properties) return settingsOf(node.additionalProperties, `${path}.<key>.`, variant);
  const variants = node.oneOf ?? [];
  const by = discriminator(variants);
  if (!by) return [];
  return variants.flatMap((v) => settingsOf({ ...v, properties: Object.fromEntries(Object.entries(v.properties ?? {}).filter(([name]) => name !== by)) }, `${path}.`, String(v.properties![by]!.const)));
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
const plural = (noun: string) => noun.replace(/^(\S+)/, (word) => (word.endsWith('s') ? word : `${word}s`));

/** A setting's type in words: `integer 0–65535`, `URL`, `list of non-empty strings`… */
export function typeOf(node: Node, many = false): string {
  const noun = (word: string) => (many ? plural(word) : word);
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' \\| ');
  if (node.anyOf) return node.anyOf.map((option) => typeOf(option, many)).join(' or ');
  if (node.oneOf) {
    const by = discriminator(node.oneOf);
    return by ? `${noun('object')} by \`${by}\`: ${node.oneOf.map((v) => code(v.properties![by]!.const)).join(' \\| ')}` : node.oneOf.map((option) => typeOf(option, many)).join(' or ');
  }
  switch (node.type) {
    case 'string': {
      if (node.format === 'uri') return noun('URL');
      const words = [node.minLength === 1 ? `non-empty ${noun('string')}` : noun('string')];
      if (node.minLength !== undefined && node.minLength > 1) words.push(`of ${node.minLength}+ characters`);
      if (node.pattern) words.push(`matching \`${cell(node.pattern)}\``);
      return words.join(' ');
    }
    case 'integer':
    case 'number':
      return [noun(node.type), range(node)].filter(Boolean).join(' ');
    case 'boolean':
      return noun('boolean');
    case 'array': {
      const items = node.items ? typeOf(node.items, true) : 'values';
      return `${node.minItems ? 'non-empty ' : ''}${noun('list')} of ${items}`;
    }
    case 'object': {
      if (node.properties) return noun('object');
      if (typeof node.additionalProperties === 'object') {
        const keys = node.propertyNames?.enum ? `keys ${typeOf(node.propertyNames)}` : 'any keys';
        return `${noun('map')} (${keys}) of ${typeOf(node.additionalProperties, true)}`;
      }
      return noun('object');
    }
    default:
      return 'any';
  }
}

function range(node: Node): string {
  const low = node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : node.minimum !== undefined ? `≥ ${node.minimum}` : '';
  if (node.maximum === undefined) return low;
  if (node.minimum !== undefined) return `${node.minimum}–${node.maximum}`;
  return [low, `≤ ${node.maximum}`].filter(Boolean).join(', ');
}

function defaultOf(setting: Setting): string {
  const { node } = setting;
  if (node.default !== undefined) {
    const empty = node.default && typeof node.default === 'object' && !Array.isArray(node.default) && Object.keys(node.default).length === 0;
    return empty && node.properties ? "each field's" : code(node.default);
  }
  return setting.required ? '**required**' : '—';
}

const cell = (text: string) => text.replaceAll('|', '\\|');

function table(rows: Setting[], heading: string): string[] {
  const lines = [`| ${heading} | type | default | unit | meaning |`, '|---|---|---|---|---|'];
  for (const row of rows) {
    const meaning = row.node.const !== undefined ? 'Selects this provider.' : cell(row.node.description ?? '');
    const when = row.variant ? `(with \`${row.variant}\`) ` : '';
    lines.push(`| \`${row.path}\` | ${typeOf(row.node)} | ${defaultOf(row)} | ${row.node.unit ?? ''} | ${when}${meaning} |`);
  }
  return lines;
}

// ------------------------------------------------------------------ example configurations

/** The line that points editors to the schema, in a project that installed the package. */
export const SCHEMA_LINE = './node_modules/checkout-elements/checkout.config.schema.json';

const base = {
  $schema: SCHEMA_LINE,
  host: '0.0.0.0',
  secretKeys: ['${CHECKOUT_SECRET_KEY}'],
  allowedOrigins: ['https://shop.example'],
};

/** One example configuration per provider, and for Redis and webhooks; each a whole file. */
export const EXAMPLES = {
  'ru-loyalty': {
    ...base,
    loyalty: { provider: 'ru-loyalty', baseUrl: 'https://loyalty.example/api', apiKey: '${RU_LOYALTY_API_KEY}', pointId: '62aXXXXXXXXf4', appCodeProvesOwnership: true },
  },
  crmcom: {
    ...base,
    loyalty: {
      provider: 'crmcom',
      baseUrl: 'https://acme.crm.com',
      username: 'pos-integration',
      password: '${CRMCOM_PASSWORD}',
      organisation: 'Acme Retail',
      unit: 'Kiosk Limassol',
      currency: 'EUR',
      vatPercent: 19,
      proof: 'pass-code',
    },
  },
  carecloud: {
    ...base,
    loyalty: {
      provider: 'carecloud',
      baseUrl: 'https://bakery.crmcarecloud.com/webservice/rest-api/enterprise-interface/v1.0',
      auth: { mode: 'bearer', externalAppId: '${CARECLOUD_APP_ID}', login: 'checkout', password: '${CARECLOUD_PASSWORD}' },
      storeId: '8ec5e6b1a8ef4e2f',
      currencyId: 'a2bcd0e9a5e1',
      purchaseTypeId: '8e1d41d3c6b7',
      purchaseItemTypeId: '9f2a11c0d4e8',
      categoryPluId: '7c8d5e6f1a2b',
      pointValue: 50,
    },
  },
  resamania: {
    ...base,
    loyalty: {
      provider: 'resamania',
      baseUrl: 'https://gateway.prod.gravitee.stadline.tech/prod',
      clientToken: 'myclubs',
      clientId: '${RESAMANIA_CLIENT_ID}',
      clientSecret: '${RESAMANIA_CLIENT_SECRET}',
      apiKey: '${RESAMANIA_API_KEY}',
      clubId: '/myclubs/clubs/1',
      clubCode: 'PARIS11',
      channel: 'web',
    },
  },
  floa: {
    ...base,
    publicUrl: 'https://shop.example/checkout-api',
    loyalty: { provider: 'ru-loyalty', baseUrl: 'https://loyalty.example/api', apiKey: '${RU_LOYALTY_API_KEY}', pointId: '62aXXXXXXXXf4' },
    instalments: {
      provider: 'floa',
      baseUrl: 'https://paymentgateway.cb4x.fr',
      eligibilityBaseUrl: 'https://eligibility.cb4x.fr',
      login: 'shop-example',
      password: '${FLOA_PASSWORD}',
      merchantId: '1234',
      sites: { FR: { '81': '7013', '63': '7017' }, BE: { '63': '7517' } },
      hmacSecret: '${FLOA_HMAC_SECRET}',
      categories: { bike: ['Sport', 'Cycling'] },
    },
  },
  redis: {
    ...base,
    trustProxy: 1,
    loyalty: { provider: 'ru-loyalty', baseUrl: 'https://loyalty.example/api', apiKey: '${RU_LOYALTY_API_KEY}', pointId: '62aXXXXXXXXf4' },
    redis: { url: 'rediss://:${REDIS_PASSWORD}@redis.internal:6380/0', prefix: 'shop-example:' },
    metrics: { port: 9464, host: '0.0.0.0' },
    shutdown: { readinessDelayMs: 5000, graceMs: 20000 },
    logLevel: 'info',
  },
  webhooks: {
    ...base,
    loyalty: { provider: 'ru-loyalty', baseUrl: 'https://loyalty.example/api', apiKey: '${RU_LOYALTY_API_KEY}', pointId: '62aXXXXXXXXf4' },
    webhooks: { url: 'https://shop.example/checkout-webhooks', secrets: ['${CHECKOUT_WEBHOOK_SECRET}', '${CHECKOUT_WEBHOOK_SECRET_NEXT}'], timeoutMs: 5000 },
  },
} as const;

/** JSON with two-space indents, short arrays and objects kept on one line. */
export function pretty(value: unknown, indent = ''): string {
  const inline = JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/([[{]) /g, '$1').replace(/ ([\]}])/g, '$1');
  if (value === null || typeof value !== 'object' || (indent && indent.length + inline.length <= 96)) return inline;
  const inner = `${indent}  `;
  const items = Array.isArray(value) ? value.map((item) => inner + pretty(item, inner)) : Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${pretty(item, inner)}`);
  return Array.isArray(value) ? `[\n${items.join(',\n')}\n${indent}]` : `{\n${items.join(',\n')}\n${indent}}`;
}

const example = (config: object) => ['```json', pretty(config), '```'];

// ------------------------------------------------------------------ the page

function providerSection(variant: Node, setting: 'loyalty' | 'instalments'): string[] {
  const id = String(variant.properties!.provider!.const);
  const config = EXAMPLES[id as keyof typeof EXAMPLES];
  if (!config) throw new Error(`No example configuration for the provider ${id}: add one to EXAMPLES in scripts/gen-config-docs.ts.`);
  return [
    `### \`${id}\`: ${variant.title ?? id}`,
    '',
    variant.description ?? '',
    `Options of \`${setting}\`. The document each one follows, and why each default where the documents are silent: [providers/${id}.md](providers/${id}.md).`,
    '',
    ...table(settingsOf(variant), 'option'),
    '',
    'Example:',
    '',
    ...example(config),
    '',
  ];
}

export function generateConfigDocs(): string {
  const schema = configJsonSchema();
  const props = schema.properties!;
  const top = settingsOf(schema, '', undefined, new Set(['loyalty', 'instalments']));
  return [
    '# Proxy configuration',
    '',
    '<!-- Generated by scripts/gen-config-docs.ts from the zod schema (ProxyConfig in src/proxy/config.ts and each',
    '     provider\'s options). Do not edit: change the schema\'s descriptions, then run `npm run gen:config`. -->',
    '',
    'The checkout proxy reads one JSON file at start: `checkout.config.json` in its working directory, or the',
    'file `CHECKOUT_CONFIG` names. It refuses to start on an invalid file (exit code 78), naming the path of',
    'every problem; `checkout-proxy check [file]` validates a file and tries each provider\'s credentials',
    'without moving money. This page lists every setting, its type, default, unit and meaning, then each',
    'provider\'s options with an example configuration.',
    '',
    '- **Secrets** stay in the environment: any string value may name variables as `${NAME}`, replaced at',
    '  start; a variable that is unset or empty stops the start. `CHECKOUT_PORT` overrides `port`, and',
    '  `REDIS_URL` sets `redis.url` when `redis` is unset.',
    `- **Editors** check and complete the file with [the JSON Schema](../${SCHEMA_FILE}) generated from the same`,
    '  source, through a `$schema` line: in a project that installed the package',
    `  \`"$schema": "${SCHEMA_LINE}"\`, in this repository \`"$schema": "./${SCHEMA_FILE}"\`.`,
    '  VS Code, JetBrains IDEs and other editors with a JSON language server read it; it accepts a `${NAME}`',
    '  wherever a string goes.',
    '- **Units.** Durations are in milliseconds (`…Ms`), minutes or days, as the name says; money is in minor',
    '  units of the currency, as everywhere in the proxy (1999 = 19.99 EUR). The `unit` column says which.',
    '- **Defaults** are filled in at start; **required** settings have none. Inside an optional object',
    '  (`webhooks`, `redis`), "required" means required when that object is given.',
    '',
    'Running the proxy, several instances, webhooks, and what a merchant page needs: [operator-guide.md](operator-guide.md).',
    '',
    '## Settings',
    '',
    ...table(top, 'setting'),
    '',
    '## Loyalty / CRM providers (`loyalty`)',
    '',
    props.loyalty!.description ?? '',
    '',
    ...props.loyalty!.oneOf!.flatMap((variant) => providerSection(variant, 'loyalty')),
    '## Instalment providers (`instalments`)',
    '',
    props.instalments!.description ?? '',
    '',
    ...props.instalments!.oneOf!.flatMap((variant) => providerSection(variant, 'instalments')),
    '## Several instances (`redis`)',
    '',
    props.redis!.description ?? '',
    '',
    'Behind a load balancer that adds `X-Forwarded-For` (`trustProxy: 1`), with metrics on a private port and a',
    'longer drain:',
    '',
    ...example(EXAMPLES.redis),
    '',
    '## Webhooks (`webhooks`)',
    '',
    props.webhooks!.description ?? '',
    '',
    'During a rotation both secrets sign every message:',
    '',
    ...example(EXAMPLES.webhooks),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, generateConfigSchema());
  writeFileSync(DOCS_FILE, generateConfigDocs());
  console.log(`${SCHEMA_FILE} and ${DOCS_FILE} written`);
}
