// When expressions (when_types.go).
export interface WhenExpression {
  input?: string;
  operator?: 'in' | 'notin' | string;
  values?: string[];
  cel?: string;
}
