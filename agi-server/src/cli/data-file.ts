import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliError, ExitCode } from './errors.js';

/** Reads a routing file (YAML or JSON; `-` is standard input, so `export | apply -` works). */
export function readDataFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.refused);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid YAML or JSON: ${(error as Error).message}`, ExitCode.refused);
  }
}
