/** A source that cannot be rendered (Argo CD's ComparisonError condition): the message names the file:line or what is missing. */
export class ComparisonError extends Error {
  override name = 'ComparisonError';
}
