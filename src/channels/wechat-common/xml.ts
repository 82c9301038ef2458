import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * WeChat's XML, read safely: no DTDs at all (so no external entities and no entity expansion), entities left
 * unprocessed by the parser, values kept as strings (a MsgId is a 64-bit number that a JS number would round).
 * The five predefined entities and numeric character references in plain text are decoded here, by a single
 * replacement that cannot expand.
 */

export class WechatXmlError extends Error {
  override name = 'WechatXmlError';
}

const CDATA = '__cdata';
const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
  trimValues: true,
});

/**
 * `<!` may only open a CDATA section or a comment. Anything else (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`,
 * `<!ATTLIST`) belongs to a DTD, which WeChat never sends; refusing them before parsing closes XXE and
 * billion-laughs for good, whatever the parser's options.
 */
export function hasMarkupDeclaration(xml: string): boolean {
  // Anywhere, even inside CDATA: a user typing "<!DOCTYPE" gets refused, a price worth paying for a simple rule.
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml)) return true;
  // Outside CDATA sections, `<!` must start a comment.
  const outside = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  return /<!(?!--)/.test(outside);
}

const ENTITY = /&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

/** The text of one element: plain text decoded, CDATA as it is; nested elements are not text. */
function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return decodeEntities(node);
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const o = node as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.every((k) => k === CDATA || k === '#text')) {
      const text = typeof o['#text'] === 'string' ? decodeEntities(o['#text']) : '';
      const cdata = Array.isArray(o[CDATA]) ? (o[CDATA] as unknown[]).join('') : typeof o[CDATA] === 'string' ? o[CDATA] : '';
      return text + cdata;
    }
  }
  return undefined;
}

/** The tree below an element, with text leaves as strings (for nested fields such as ScanCodeInfo). */
function treeOf(node: unknown): unknown {
  const text = textOf(node);
  if (text !== undefined) return text;
  if (Array.isArray(node)) return node.map(treeOf);
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, treeOf(v)]));
  return node;
}

export interface WechatXml {
  /** Every direct child of `<xml>` that holds text (repeated elements: the first). */
  fields: Record<string, string>;
  /** The children that hold elements (e.g. ScanCodeInfo), as plain trees. */
  nested: Record<string, unknown>;
}

/** Parse a WeChat XML document (`<xml>...</xml>`); throws WechatXmlError for anything else. */
export function parseWechatXml(xml: string): WechatXml {
  if (hasMarkupDeclaration(xml)) throw new WechatXmlError('DTDs and entity declarations are not accepted');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new WechatXmlError(`the body is not well-formed XML (line ${valid.err.line}, column ${valid.err.col})`);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new WechatXmlError(`the body is not well-formed XML: ${(err as Error).message}`);
  }
  const root = (doc as Record<string, unknown> | undefined)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new WechatXmlError('the body is not a WeChat message (<xml>...</xml> with child elements)');
  const fields: Record<string, string> = {};
  const nested: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (name === CDATA || name === '#text') continue;
    const first = Array.isArray(value) ? value[0] : value;
    const text = textOf(first);
    if (text !== undefined) fields[name] = text;
    else nested[name] = treeOf(first);
  }
  return { fields, nested };
}

/** A CDATA section holding any text (a `]]>` inside is split across two sections). */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * A flat `<xml>` document. Strings go in CDATA; numbers as they are (CreateTime, TimeStamp). Characters XML 1.0
 * cannot carry (control characters other than tab and newlines) are dropped rather than breaking the document.
 */
export function buildWechatXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? String(v) : cdata(stripInvalidXmlChars(v))}</${k}>`)
    .join('');
  return `<xml>${body}</xml>`;
}

// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, '');
}
