// The few Node built-ins tests/wasm/typed_api.ts uses, declared here so the
// type check needs no @types/node (not packaged for Debian's tsc).
declare module 'node:fs' {
  export function readFileSync(path: string): Uint8Array;
}
declare module 'node:url' {
  export function pathToFileURL(path: string): {href: string};
}
declare const process: {argv: string[]; exitCode?: number};
declare const console: {log(...args: unknown[]): void};
