/**
 * auth.code2Session: GET {base}/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code. It is the
 * one WeChat call of the mini program that takes the AppSecret instead of an access token, so it is not in
 * wechat-common's client (which only does access-token calls); it lives here.
 */
export interface Code2SessionResult {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

/** Why a login code was refused; `kind` decides the HTTP answer. */
export class Code2SessionError extends Error {
  override name = 'Code2SessionError';
  constructor(
    /** `badCode`: the client must call wx.login again; `limited`: too many calls; `unavailable`: WeChat did not answer usefully. */
    readonly kind: 'badCode' | 'limited' | 'unavailable' | 'risky',
    readonly errcode: number,
    message: string,
  ) {
    super(message);
  }
}

/** 40029 invalid code, 40163 code already used; 40226 a user WeChat flags as high-risk; 45011 frequency limit. */
const BAD_CODE = new Set([40029, 40163]);

export function createCode2Session(opts: { appId: string; secret: string; apiBase: string; timeoutMs?: number; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? fetch;
  const base = opts.apiBase.replace(/\/+$/, '');
  return async function code2Session(code: string): Promise<Code2SessionResult> {
    const url = new URL(`${base}/sns/jscode2session`);
    url.searchParams.set('appid', opts.appId);
    url.searchParams.set('secret', opts.secret);
    url.searchParams.set('js_code', code);
    url.searchParams.set('grant_type', 'authorization_code');
    let res: Response;
    try {
      res = await doFetch(url, { method: 'GET', signal: AbortSignal.timeout(opts.timeoutMs ?? 8_000) });
    } catch (err) {
      throw new Code2SessionError('unavailable', 0, `jscode2session: network error: ${(err as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new Code2SessionError('unavailable', 0, `jscode2session: HTTP ${res.status}`);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Code2SessionError('unavailable', 0, 'jscode2session: the answer is not JSON');
    }
    const errcode = typeof json.errcode === 'number' ? json.errcode : 0;
    if (errcode !== 0) {
      const errmsg = String(json.errmsg ?? '');
      if (BAD_CODE.has(errcode)) throw new Code2SessionError('badCode', errcode, `the login code is invalid or already used (${errcode}); call wx.login again`);
      if (errcode === 45011) throw new Code2SessionError('limited', errcode, 'too many logins; try again in a minute');
      if (errcode === 40226) throw new Code2SessionError('risky', errcode, 'WeChat refused the login for this user (40226)');
      throw new Code2SessionError('unavailable', errcode, `jscode2session failed: errcode ${errcode} (${errmsg})`);
    }
    const { openid, session_key: sessionKey, unionid } = json;
    if (typeof openid !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(openid) || typeof sessionKey !== 'string' || !sessionKey) {
      throw new Code2SessionError('unavailable', 0, 'jscode2session: the answer has no usable openid/session_key');
    }
    return { openid, sessionKey, ...(typeof unionid === 'string' && unionid ? { unionid } : {}) };
  };
}

export type Code2Session = ReturnType<typeof createCode2Session>;
