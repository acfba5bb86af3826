/** The parts of a Bicep file the infra checks look at. */

export type Value = ObjectValue | ArrayValue | StringValue | ExprValue | ForValue | IfValue;

export interface ObjectValue {
  kind: "object";
  properties: Property[];
  /** `resource` declarations nested in a resource body. */
  resources: ResourceDecl[];
  line: number;
}

export interface Property {
  key: string;
  value: Value;
  line: number;
}

export interface ArrayValue {
  kind: "array";
  items: Value[];
  line: number;
}

export interface StringValue {
  kind: "string";
  value: string;
  interpolated: boolean;
  line: number;
}

/** Any other expression, kept as source text plus the literals found inside it. */
export interface ExprValue {
  kind: "expr";
  text: string;
  children: Value[];
  line: number;
}

/** `[for item in list: body]`, optionally filtered by `if (...)`. */
export interface ForValue {
  kind: "for";
  header: string;
  condition?: string;
  body: Value;
  line: number;
}

/** `if (condition) body`: a conditional resource or module. */
export interface IfValue {
  kind: "if";
  condition: string;
  body: Value;
  line: number;
}

export interface Decorator {
  name: string;
  args: Value[];
}

interface DeclBase {
  decorators: Decorator[];
  line: number;
}

export interface ResourceDecl extends DeclBase {
  kind: "resource";
  symbol: string;
  /** As written: `Microsoft.Web/sites@2024-04-01`, or a bare child type inside a parent's body. */
  typeReference: string;
  existing: boolean;
  body: Value;
}

export interface ModuleDecl extends DeclBase {
  kind: "module";
  symbol: string;
  path: string;
  body: Value;
}

export interface ParamDecl extends DeclBase {
  kind: "param";
  name: string;
  type: string;
  defaultValue?: Value;
}

export interface VarDecl extends DeclBase {
  kind: "var";
  name: string;
  value: Value;
}

export interface OutputDecl extends DeclBase {
  kind: "output";
  name: string;
  type: string;
  value: Value;
}

export interface ImportDecl extends DeclBase {
  kind: "import";
  names: string[];
  from: string;
}

export interface TargetScopeDecl extends DeclBase {
  kind: "targetScope";
  value: Value;
}

/** `func`, `type` and `metadata` statements: recognized, not analysed. */
export interface OtherDecl extends DeclBase {
  kind: "other";
  keyword: string;
  name: string;
}

export type Statement = ResourceDecl | ModuleDecl | ParamDecl | VarDecl | OutputDecl | ImportDecl | TargetScopeDecl | OtherDecl;

export interface BicepFile {
  statements: Statement[];
}
