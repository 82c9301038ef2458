import { HttpError } from '../../http/errors.ts';

/**
 * The `Encrypt` field of a compatible- or safe-mode push, taken out of the body before anything else is done with
 * it: msg_signature covers only this field, so it has to be checked before the body is parsed, and parsing 64 KB of
 * unsigned XML (XMLValidator, then the parser) costs several times what the whole signed path does. So no XML
 * parser runs here, only anchored or literal-prefixed regular expressions over the bounded body, whose character
 * classes cannot overlap their delimiters (base64 has no `<` or `]`): each runs in time linear in the body.
 *
 * - safe mode: WeChat's body holds only ciphertext, `<xml><ToUserName/><Encrypt/></xml>`. The whole body must be
 *   exactly that envelope; a body with anything more (a plaintext copy of the message) is refused, since in safe
 *   mode it can only come from a console set to another mode or from someone else.
 * - compatible mode: the plaintext fields come along with `Encrypt`; only `Encrypt` is used and the rest is never
 *   read. WeChat writes it as a CDATA section, which cannot occur inside another CDATA section (it contains `]]>`),
 *   so a user typing "<Encrypt>...</Encrypt>" into a message cannot be mistaken for it.
 *
 * JSON bodies (the mini program's JSON data format) have been parsed by the app's JSON body parser (native, linear)
 * before any route runs; for them the field is read from that object.
 */

const B64 = '[A-Za-z0-9+/=]+';
const value = (inner: string) => `(?:<!\\[CDATA\\[${inner}\\]\\]>|${inner})`;
const TO_USER = `<ToUserName>${value('[^<>\\]]{0,64}')}</ToUserName>\\s*`;
const SAFE_XML = new RegExp(`^\\s*(?:<\\?xml[^<>]{0,128}\\?>\\s*)?<xml>\\s*(?:${TO_USER})?<Encrypt>${value(`(${B64})`)}</Encrypt>\\s*(?:${TO_USER})?</xml>\\s*$`);
const ENCRYPT_CDATA = new RegExp(`<Encrypt>\\s*<!\\[CDATA\\[(${B64})\\]\\]>\\s*</Encrypt>`, 'g');
const ENCRYPT_BARE = new RegExp(`<Encrypt>\\s*(${B64})\\s*</Encrypt>`, 'g');

const SAFE_JSON_KEYS = new Set(['ToUserName', 'Encrypt']);

export type EnvelopeMode = 'compatible' | 'safe';

/** A push body as read: its text, and for JSON the object the app's body parser made of it. */
export interface PushBody {
  text: string;
  /** Present for JSON bodies. */
  json?: unknown;
}

function single(re: RegExp, text: string): string | null | 'many' {
  const found = [...text.matchAll(re)];
  if (found.length > 1) return 'many';
  return found[0]?.[1] ?? null;
}

/** The Encrypt field of a push body; HttpError 400 when it is missing, repeated, or (safe mode) not alone. */
export function encryptedField(body: PushBody, mode: EnvelopeMode, modeSetting: string): string {
  const notAlone = () => new HttpError(400, `in safe mode the body holds only ToUserName and Encrypt; this one carries more (if the console is in compatible mode, set ${modeSetting}=compatible)`);
  if (body.json !== undefined) {
    const o = body.json;
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new HttpError(400, 'the body is not a JSON object');
    const enc = (o as Record<string, unknown>).Encrypt;
    if (typeof enc !== 'string' || enc === '') throw new HttpError(400, 'Encrypt is missing');
    if (mode === 'safe' && Object.keys(o).some((k) => !SAFE_JSON_KEYS.has(k))) throw notAlone();
    return enc;
  }
  if (mode === 'safe') {
    const m = SAFE_XML.exec(body.text);
    if (m) return (m[1] ?? m[2])!;
    if (single(ENCRYPT_CDATA, body.text) === null && single(ENCRYPT_BARE, body.text) === null) throw new HttpError(400, 'Encrypt is missing');
    throw notAlone();
  }
  const cdata = single(ENCRYPT_CDATA, body.text);
  const enc = cdata ?? single(ENCRYPT_BARE, body.text);
  if (enc === 'many') throw new HttpError(400, 'the body has more than one Encrypt element');
  if (enc === null) throw new HttpError(400, 'Encrypt is missing');
  return enc;
}
