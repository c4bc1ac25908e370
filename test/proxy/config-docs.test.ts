import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  DOCS_FILE,
  EXAMPLES,
  SCHEMA_FILE,
  configJsonSchema,
  editorJsonSchema,
  generateConfigDocs,
  generateConfigSchema,
  settingsOf,
  type Node,
} from '../../scripts/gen-config-docs.js';
import { parseConfig } from '../../src/proxy/config.js';

/**
 * The configuration's JSON Schema and its reference are generated from the zod schema that
 * validates it: they must not drift, their examples must be valid, and every setting must say
 * what it is.
 */
test('checkout.config.schema.json and docs/proxy-config.md are what the zod schema generates (run npm run gen:config)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), generateConfigSchema());
  assert.equal(readFileSync(DOCS_FILE, 'utf8'), generateConfigDocs());
});

/** The ```json blocks of the reference: each a whole configuration file. */
const docExamples = () => [...readFileSync(DOCS_FILE, 'utf8').matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]!) as Record<string, any>);

/** A value for each `${NAME}` of a configuration, of the form its setting needs. */
function envFor(config: unknown): Record<string, string> {
  const names = [...JSON.stringify(config).matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => match[1]!);
  return Object.fromEntries(names.map((name) => [name, /WEBHOOK_SECRET/.test(name) ? `whsec_${Buffer.from(name.padEnd(32, '-')).toString('base64')}` : `value-of-${name}`.padEnd(32, '-')]));
}

test('every example configuration of the reference is accepted by parseConfig, and one exists per provider, for Redis and for webhooks', () => {
  const examples = docExamples();
  assert.equal(examples.length, Object.keys(EXAMPLES).length, 'each example appears once in the reference');
  const parsed = examples.map((raw) => parseConfig(raw, envFor(raw), 'example'));
  const schema = configJsonSchema();
  const providers = (setting: 'loyalty' | 'instalments') => schema.properties![setting]!.oneOf!.map((variant) => variant.properties!.provider!.const);
  const loyalty = new Set(parsed.map((config) => config.loyalty.provider));
  for (const provider of providers('loyalty')) assert.ok(loyalty.has(provider as never), `an example configures ${String(provider)}`);
  const instalments = new Set(parsed.map((config) => config.instalments?.provider));
  for (const provider of providers('instalments')) assert.ok(instalments.has(provider as never), `an example configures ${String(provider)}`);
  assert.ok(parsed.some((config) => config.redis?.url.startsWith('rediss://:value-of-REDIS_PASSWORD')), 'an example shares state through Redis');
  assert.ok(parsed.some((config) => (config.webhooks?.secrets.length ?? 0) > 1), 'an example signs webhooks during a rotation');
  // The `$schema` line the reference documents is allowed, and points to a file the package publishes.
  assert.ok(examples.every((raw) => raw.$schema === './node_modules/checkout-elements/checkout.config.schema.json'));
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.ok(pkg.files.includes(SCHEMA_FILE), 'the package publishes the schema');
  assert.equal(pkg.exports[`./${SCHEMA_FILE}`], `./${SCHEMA_FILE}`);
});

test("README's configuration example is accepted by parseConfig", () => {
  const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]!));
  const configs = blocks.filter((block) => 'loyalty' in block);
  assert.ok(configs.length >= 1);
  for (const raw of configs) assert.equal(parseConfig(raw, envFor(raw), 'README').loyalty.provider, raw.loyalty.provider);
});

/** Every setting, provider options included. */
function allSettings() {
  const schema = configJsonSchema();
  const variants = ['loyalty', 'instalments'].flatMap((name) => schema.properties![name]!.oneOf!.map((variant) => ({ name, variant })));
  return [...settingsOf(schema), ...variants.flatMap(({ name, variant }) => settingsOf(variant, `${name}(${String(variant.properties!.provider!.const)}).`))];
}

test('every setting has a description, and every duration, amount or rate says its unit', () => {
  const settings = allSettings();
  assert.ok(settings.length > 150, `${settings.length} settings`);
  const UNITS: Array<[RegExp, string]> = [
    [/Ms$/, 'ms'],
    [/Minutes$/, 'minutes'],
    [/Days$/, 'days'],
    [/(Percent|vatRate)$/, 'percent'],
    [/(pointValue|unitPrice)$/, 'minor units'],
  ];
  for (const { path, node } of settings) {
    if (node.const !== undefined) continue; // `provider`, `mode`: the section names what they select
    assert.ok(node.description && node.description.length > 10, `${path} has a description`);
    const expected = UNITS.find(([name]) => name.test(path))?.[1];
    assert.equal(node.unit, expected, `${path} unit`);
  }
});

test('each provider section links to its provider page, and the page exists', () => {
  const docs = readFileSync(DOCS_FILE, 'utf8');
  const schema = configJsonSchema();
  for (const name of ['loyalty', 'instalments']) {
    for (const variant of schema.properties![name]!.oneOf!) {
      const id = String(variant.properties!.provider!.const);
      assert.ok(docs.includes(`[providers/${id}.md](providers/${id}.md)`), `${id} is linked`);
      assert.ok(existsSync(`docs/providers/${id}.md`), `docs/providers/${id}.md exists`);
    }
  }
});

/**
 * The JSON Schema keywords the configuration's schema uses, checked as an editor checks them:
 * enough to show that the documented files pass and typical mistakes are flagged.
 */
function problems(node: Node, value: unknown, path = '(root)'): string[] {
  const fail = (what: string) => [`${path}: ${what}`];
  if (node.const !== undefined && value !== node.const) return fail(`expected ${JSON.stringify(node.const)}`);
  if (node.enum && !node.enum.includes(value)) return fail('not one of the values');
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (node.type && !(node.type === kind || (node.type === 'number' && kind === 'integer'))) return fail(`expected ${node.type}, got ${kind}`);
  const found: string[] = [];
  if (typeof value === 'string') {
    if (node.minLength !== undefined && value.length < node.minLength) found.push(...fail('too short'));
    if (node.pattern && !new RegExp(node.pattern, 'u').test(value)) found.push(...fail(`does not match ${node.pattern}`));
    if (node.format === 'uri' && !URL.canParse(value)) found.push(...fail('not a URL'));
  }
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) found.push(...fail('too small'));
    if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) found.push(...fail('too small'));
    if (node.maximum !== undefined && value > node.maximum) found.push(...fail('too large'));
  }
  if (Array.isArray(value)) {
    if (node.minItems !== undefined && value.length < node.minItems) found.push(...fail('too few items'));
    if (node.items) value.forEach((item, i) => found.push(...problems(node.items!, item, `${path}.${i}`)));
  }
  if (kind === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of node.required ?? []) if (!(name in object)) found.push(...fail(`${name} is missing`));
    for (const [name, item] of Object.entries(object)) {
      const child = node.properties?.[name] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      if (child) found.push(...problems(child, item, `${path}.${name}`));
      if (node.propertyNames) found.push(...problems(node.propertyNames, name, `${path}.${name} (key)`));
    }
  }
  if (node.anyOf && !node.anyOf.some((option) => problems(option, value, path).length === 0)) found.push(...fail('matches no alternative'));
  if (node.oneOf && node.oneOf.filter((option) => problems(option, value, path).length === 0).length !== 1) found.push(...fail('matches no single variant'));
  return found;
}

test('the editor schema accepts the examples, with ${NAME} wherever parseConfig replaces one, and flags what parseConfig refuses', () => {
  const schema = editorJsonSchema();
  for (const raw of docExamples()) {
    assert.deepEqual(problems(schema, raw), [], `${raw.loyalty.provider} example as written`);
    const substituted = JSON.parse(JSON.stringify(raw).replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => envFor(raw)[name]!));
    assert.deepEqual(problems(schema, substituted), [], `${raw.loyalty.provider} example with its environment`);
  }
  const valid = docExamples()[0]!;
  const mistakes: Array<[string, Record<string, unknown>]> = [
    ['(root).port', { ...valid, port: 'eighty' }],
    ['(root).secretKeys.0', { ...valid, secretKeys: ['short'] }],
    ['(root).webhooks.secrets.0', { ...valid, webhooks: { url: 'https://shop.example/hooks', secrets: ['plain'] } }],
    ['(root).redis.url', { ...valid, redis: { url: 'http://redis.internal' } }],
    ['(root).loyalty', { ...valid, loyalty: { ...valid.loyalty, provider: 'nobody' } }],
    ['(root).loyalty', { ...valid, loyalty: { ...valid.loyalty, pointId: undefined } }],
    ['(root).lookupRateLimit.perClient', { ...valid, lookupRateLimit: { perClient: 0, perCheckout: 10, windowMs: 1000 } }],
  ];
  for (const [path, config] of mistakes) {
    const plain = JSON.parse(JSON.stringify(config));
    assert.throws(() => parseConfig(plain, envFor(plain)), `parseConfig refuses the mistake at ${path}`);
    assert.ok(problems(schema, plain).some((problem) => problem.startsWith(`${path}:`)), `the schema flags ${path}: ${problems(schema, plain).join('; ')}`);
  }
});
