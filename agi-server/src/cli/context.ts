import type { ApiClient } from './client.js';

/** A stored change as the API answers it. */
export type Version = { version: number; summary: string };

/** What every command group gets from the program: the API client and how to print. */
export interface CliContext {
  /** The client for the address and token the user gave (read when a command runs). */
  readonly client: () => ApiClient;
  readonly asJson: () => boolean;
  /** `value` as JSON with --json, else `text()`. */
  readonly print: (value: unknown, text: () => string) => void;
  readonly printVersion: (result: Version) => void;
}
