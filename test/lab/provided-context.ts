// What the lab's global setup hands to every lab test file (vitest's provide/inject).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    labChroot: string;
  }
}
