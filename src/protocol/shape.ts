/**
 * The subset of JSON Schema that `scripts/gen-reply-shapes.ts` emits from the zod reply
 * schemas, and a check of a value against it. The widget checks every reply with this instead
 * of shipping zod (about 6 KB gzip): the zod schemas stay the one definition of each shape.
 */
export interface Shape {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  properties?: Record<string, Shape>;
  required?: string[];
  items?: Shape;
  anyOf?: Shape[];
  enum?: unknown[];
  const?: unknown;
}

/** Whether `value` has the shape (unknown object keys are allowed, as zod strips them). */
export function conforms(shape: Shape, value: unknown): boolean {
  if (shape.anyOf) return shape.anyOf.some((option) => conforms(option, value));
  if ('const' in shape && value !== shape.const) return false;
  if (shape.enum && !shape.enum.includes(value)) return false;
  switch (shape.type) {
    case 'object':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        (shape.required ?? []).every((key) => key in value) &&
        Object.entries(shape.properties ?? {}).every(([key, inner]) => (value as Record<string, unknown>)[key] === undefined || conforms(inner, (value as Record<string, unknown>)[key]))
      );
    case 'array':
      return Array.isArray(value) && (!shape.items || value.every((item) => conforms(shape.items!, item)));
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    case undefined:
      return true;
    default:
      return typeof value === shape.type;
  }
}

/** An object shape whose keys are all required but the `optional` ones (generated shapes are written with it). */
export const object = (properties: Record<string, Shape>, optional: string[] = []): Shape => ({ type: 'object', properties, required: Object.keys(properties).filter((key) => !optional.includes(key)) });

/** An array shape. */
export const array = (items: Shape): Shape => ({ type: 'array', items });

/** A shape any of whose options may match. */
export const anyOf = (...options: Shape[]): Shape => ({ anyOf: options });
