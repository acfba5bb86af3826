/**
 * The subset of Swagger 2.0 (plus the x-ms-* extensions the vendored Azure
 * specs use) that the catalog reads. Anything not listed is ignored.
 */
export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, SwaggerSchema>;
  required?: string[];
  additionalProperties?: SwaggerSchema | boolean;
  items?: SwaggerSchema;
  allOf?: SwaggerSchema[];
  readOnly?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  "x-nullable"?: boolean;
  "x-ms-enum"?: { name?: string; modelAsString?: boolean };
}

export interface SwaggerParameter {
  $ref?: string;
  name?: string;
  in?: "path" | "query" | "body" | "header";
  required?: boolean;
  type?: string;
  format?: string;
  schema?: SwaggerSchema;
  "x-ms-skip-url-encoding"?: boolean;
}

export interface SwaggerResponse {
  $ref?: string;
  schema?: SwaggerSchema;
}

export interface SwaggerOperation {
  operationId?: string;
  parameters?: SwaggerParameter[];
  responses?: Record<string, SwaggerResponse>;
  "x-ms-long-running-operation"?: boolean;
  "x-ms-examples"?: Record<string, { $ref?: string }>;
}

export type SwaggerPathItem = Partial<
  Record<"get" | "put" | "patch" | "delete" | "post" | "head", SwaggerOperation>
> & {
  parameters?: SwaggerParameter[];
};

export interface SwaggerDocument {
  swagger?: string;
  info?: { version?: string };
  paths?: Record<string, SwaggerPathItem>;
  "x-ms-paths"?: Record<string, SwaggerPathItem>;
  definitions?: Record<string, SwaggerSchema>;
  parameters?: Record<string, SwaggerParameter>;
}

/** A schema together with the file its relative `$ref`s are resolved against. */
export interface LocatedSchema {
  schema: SwaggerSchema;
  file: string;
}
