// jq-web ships no types: its default export is a promise of {json, raw}.
declare module 'jq-web' {
  const jq: Promise<{ json(input: unknown, filter: string): unknown; raw(input: string, filter: string, flags?: string[]): string }>;
  export default jq;
}
