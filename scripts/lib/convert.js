// @ts-check
/**
 * OpenAPI 3.0 sources are converted to 3.1 before they are merged, so that 3.0-only keywords
 * (`nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`, a schema's single `example`) never
 * reach the 3.1 bundle under a 3.1 label.
 *
 * The converter is openapi-format's. Both candidates were tried on a 3.0 fixture holding
 * `nullable` next to `type`, `oneOf` and `allOf`, `nullable: false`, boolean exclusive bounds and
 * schema, parameter and media-type examples:
 * - openapi-format (engines node >= 18, no install script) produced a document that validates as
 *   3.1 in every case: `type: [x, 'null']`, `{type: 'null'}` added to a nullable oneOf/anyOf, and
 *   `nullable` dropped where 3.0.3 gives it no effect (no `type` in the same schema, as beside allOf).
 * - @scalar/openapi-upgrader needs node >= 22 from 0.2 on; 0.1.11, the last release for node 20,
 *   left `nullable` in place next to `oneOf`/`allOf` and for `nullable: false`, which fails 3.1
 *   validation ("Property `nullable` is not expected here").
 * openapi-format also supplies the operation filter (select.js), so it is one dependency for both.
 */
import { openapiConvertVersion } from 'openapi-format';

/**
 * The document itself when it is already 3.1, otherwise a converted copy.
 * @param {Record<string, any>} document
 * @returns {Promise<Record<string, any>>}
 */
export async function toOpenApi31(document) {
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.0')) return document;
  const { data } = await openapiConvertVersion(document, { convertTo: '3.1' });
  return data;
}
