import type { SbProduct } from '../state';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Input = Record<string, any>;
export interface ProductSetUserError {
  field: string[];
  message: string;
  code: string;
}
const err = (field: (string | number)[], message: string, code: string): ProductSetUserError => ({
  field: field.map(String),
  message,
  code,
});

// MetafieldInput.key: "Must be 2-64 characters long and can contain alphanumeric, hyphen, and underscore characters."
// MetafieldInput.namespace: "Must be 3-255 characters long and can contain alphanumeric, hyphen, and underscore
// characters." The app-reserved namespace is written `$app` or `$app:<name>`.
const KEY = /^[A-Za-z0-9_-]{2,64}$/;
const NAMESPACE = /^(\$app(:[A-Za-z0-9_-]{1,250})?|[A-Za-z0-9_-]{3,255})$/;

function metafieldErrors(
  list: Input[] | undefined,
  at: (string | number)[],
  hasDefinition: (namespace: string, key: string) => boolean,
): ProductSetUserError[] {
  const out: ProductSetUserError[] = [];
  (list ?? []).forEach((m, i) => {
    const key = String(m.key ?? '');
    const namespace = m.namespace == null ? '$app' : String(m.namespace);
    if (!KEY.test(key))
      out.push(
        err(
          [...at, i, 'key'],
          key.length < 2 || key.length > 64
            ? `Key is too ${key.length < 2 ? 'short (minimum is 2' : 'long (maximum is 64'} characters)`
            : 'Key contains one or more invalid characters.',
          'INVALID_METAFIELD',
        ),
      );
    if (!NAMESPACE.test(namespace))
      out.push(
        err(
          [...at, i, 'namespace'],
          namespace.length < 3 || namespace.length > 255
            ? `Namespace is too ${namespace.length < 3 ? 'short (minimum is 3' : 'long (maximum is 255'} characters)`
            : 'Namespace contains one or more invalid characters.',
          'INVALID_METAFIELD',
        ),
      );
    // MetafieldInput.type: "Required when creating or updating a metafield without a definition."
    if (!m.type && !hasDefinition(namespace, key))
      out.push(err([...at, i, 'type'], "Type can't be blank", 'INVALID_METAFIELD'));
  });
  return out;
}

/**
 * The constraints the 2026-10 schema states for the productSet input fields (and the ProductSetUserErrorCode
 * meanings), checked before anything is written: any error means nothing is applied.
 */
export function productSetRuleErrors(
  identifier: Input | undefined,
  input: Input,
  existing: SbProduct | undefined,
  hasDefinition: (namespace: string, key: string) => boolean,
): ProductSetUserError[] {
  const out: ProductSetUserError[] = [];
  const options: Input[] | undefined = input.productOptions;
  const variants: Input[] | undefined = input.variants;

  // ID_NOT_ALLOWED: "The id field is not allowed if identifier is provided."
  if (identifier && input.id) out.push(err(['input', 'id'], 'The id field is not allowed.', 'ID_NOT_ALLOWED'));
  // INPUT_MISMATCH: "The identifier value does not match the value of the corresponding field in the input."
  if (identifier?.handle && input.handle != null && input.handle !== identifier.handle)
    out.push(err(['input', 'handle'], 'The handle does not match the identifier.', 'INPUT_MISMATCH'));
  if (identifier?.customId && input.metafields) {
    const c = identifier.customId;
    const own = (input.metafields as Input[]).find(
      (m) => m.key === c.key && (m.namespace ?? '$app') === (c.namespace ?? '$app'),
    );
    // METAFIELD_MISMATCH: "The input argument `metafields` (if present) must contain the `customId` value."
    if (!own)
      out.push(err(['input', 'metafields'], 'The metafields must contain the customId value.', 'METAFIELD_MISMATCH'));
    else if (String(own.value) !== String(c.value))
      out.push(err(['input', 'metafields'], 'The metafield value does not match the customId.', 'INPUT_MISMATCH'));
  }
  // ProductSetInput.handle: "A handle can contain letters, hyphens (`-`), and numbers, but no spaces."
  if (typeof input.handle === 'string' && /\s/.test(input.handle))
    out.push(err(['input', 'handle'], 'Handle cannot contain spaces.', 'INVALID_INPUT'));

  // PRODUCT_OPTIONS_INPUT_MISSING: "Must specify product options when updating variants." and
  // VARIANTS_INPUT_MISSING: "Must specify variants when updating options."
  if (variants && !options && (existing?.options.length || variants.some((v) => v.optionValues?.length)))
    out.push(
      err(
        ['input', 'productOptions'],
        'Must specify product options when updating variants.',
        'PRODUCT_OPTIONS_INPUT_MISSING',
      ),
    );
  if (options && !variants)
    out.push(err(['input', 'variants'], 'Must specify variants when updating options.', 'VARIANTS_INPUT_MISSING'));

  const names = new Set<string>();
  (options ?? []).forEach((o, i) => {
    // DUPLICATED_OPTION_NAME: "Duplicated option name."
    if (names.has(o.name))
      out.push(err(['input', 'productOptions', i, 'name'], 'Duplicated option name.', 'DUPLICATED_OPTION_NAME'));
    names.add(o.name);
    const values: string[] = (o.values ?? []).map((v: Input) => v.name);
    // OPTION_VALUES_MISSING: "Each option must have at least one option value specified."
    if (!values.length)
      out.push(
        err(
          ['input', 'productOptions', i, 'values'],
          'Each option must have at least one option value specified.',
          'OPTION_VALUES_MISSING',
        ),
      );
    // DUPLICATED_OPTION_VALUE: "Duplicated option value."
    if (new Set(values).size !== values.length)
      out.push(err(['input', 'productOptions', i, 'values'], 'Duplicated option value.', 'DUPLICATED_OPTION_VALUE'));
  });

  out.push(...metafieldErrors(input.metafields, ['input', 'metafields'], hasDefinition));
  (variants ?? []).forEach((v, i) => {
    out.push(...metafieldErrors(v.metafields, ['input', 'variants', i, 'metafields'], hasDefinition));
    // ProductVariantSetInput.position: "The first position in the list is 1."
    if (v.position != null && !(Number.isInteger(v.position) && v.position >= 1))
      out.push(
        err(['input', 'variants', i, 'position'], 'Position must be greater than or equal to 1', 'INVALID_VARIANT'),
      );
    if (!options) return;
    for (const [k, ov] of ((v.optionValues ?? []) as Input[]).entries()) {
      const option = options.find((o) => o.name === ov.optionName);
      // OPTION_DOES_NOT_EXIST: "Option does not exist." / OPTION_VALUE_DOES_NOT_EXIST: "Option value does not exist."
      if (!option)
        out.push(err(['input', 'variants', i, 'optionValues', k], 'Option does not exist.', 'OPTION_DOES_NOT_EXIST'));
      else if (!(option.values ?? []).some((x: Input) => x.name === ov.name))
        out.push(
          err(
            ['input', 'variants', i, 'optionValues', k],
            'Option value does not exist.',
            'OPTION_VALUE_DOES_NOT_EXIST',
          ),
        );
    }
  });
  // ProductVariantSetInput.id: "Specifies the product variant to update or create a new variant if absent." An id
  // that is not one of this product's variants is PRODUCT_VARIANT_DOES_NOT_EXIST ("Product variant does not exist").
  (variants ?? []).forEach((v, i) => {
    if (v.id != null && !existing?.variants.some((x) => x.id === v.id))
      out.push(err(['input', 'variants', i, 'id'], 'Product variant does not exist', 'PRODUCT_VARIANT_DOES_NOT_EXIST'));
  });
  return out;
}
