import type { z } from 'zod';

/**
 * Example files (.env.example, functions/.env.example, asterisk-config/settings.example.yaml)
 * carry placeholders such as `replace-with-…`, `your-trunk…` or `pbx.example.com`. A placeholder
 * copied unchanged must fail validation, not pass as a real secret or address: every schema that
 * reads such a value refines it with `notPlaceholder`.
 */
const PLACEHOLDER = /replace[-_ ]?(with|me)|your[-_]|changeme|placeholder|\bexample\.(com|net|org)\b|x{8,}/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** `schema` that also refuses an example file's placeholder, naming it as such. */
export function notPlaceholder<S extends z.ZodType<string>>(schema: S) {
  return schema.refine((value) => !isPlaceholder(value), 'still the example placeholder: set a real value');
}
