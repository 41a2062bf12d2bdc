import type { GraphQLError } from 'graphql';

interface ShopifyError {
  message: string;
  locations?: readonly { line: number; column: number }[];
  extensions: Record<string, unknown>;
}

// graphql-js messages of the commonest validation failures, and how Shopify's server (graphql-ruby) words them.
const RULES: [RegExp, (m: RegExpExecArray) => Omit<ShopifyError, 'locations'>][] = [
  [
    /^Cannot query field "(\w+)" on type "(\w+)"\./,
    ([, field, type]) => ({
      message: `Field '${field}' doesn't exist on type '${type}'`,
      extensions: { code: 'undefinedField', typeName: type, fieldName: field },
    }),
  ],
  [
    /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided\./,
    ([, field, arg]) => ({
      message: `Field '${field}' is missing required arguments: ${arg}`,
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: field, arguments: arg },
    }),
  ],
  [
    /^Unknown argument "(\w+)" on field "\w+\.(\w+)"\./,
    ([, arg, field]) => ({
      message: `Field '${field}' doesn't accept argument '${arg}'`,
      extensions: { code: 'argumentNotAccepted', name: field, typeName: 'Field', argumentName: arg },
    }),
  ],
  [
    /^Variable "\$(\w+)" is never used/,
    ([, name]) => ({
      message: `Variable $${name} is declared by anonymous query but not used`,
      extensions: { code: 'variableNotUsed', variableName: name },
    }),
  ],
];

/** A validation error as Shopify reports it; messages without a known counterpart keep graphql-js wording. */
export function shopifyValidationError(e: GraphQLError): ShopifyError {
  for (const [pattern, convert] of RULES) {
    const m = pattern.exec(e.message);
    if (m) return { ...convert(m), locations: e.locations };
  }
  return { message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
}
