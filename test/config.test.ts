import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const KEY = Buffer.alloc(32, 1).toString('base64');

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', DEFAULT_LOCALE: 'zh-CN', SESSION_TIMEOUT_MINUTES: 30, LOG_LEVEL: 'info', SIM_ENABLED: true });
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it('reads values and treats empty strings as unset', () => {
    const c = loadConfig({ PORT: '8080', SIM_ENABLED: 'false', PUBLIC_BASE_URL: 'https://bot.example.org/', PII_KEY: '' });
    expect(c).toMatchObject({ PORT: 8080, SIM_ENABLED: false, publicBaseUrl: 'https://bot.example.org' });
  });

  it('reports one line per problem, naming the variable and the fix', () => {
    const lines = problems({ PORT: 'eighty', DEFAULT_LOCALE: 'fr', SESSION_TIMEOUT_MINUTES: '0', LOG_LEVEL: 'loud', PII_KEY: 'short', MONGODB_URI: 'postgres://x' });
    expect(lines).toHaveLength(6);
    expect(lines.find((l) => l.includes('PORT'))).toMatch(/whole number/);
    expect(lines.find((l) => l.includes('DEFAULT_LOCALE'))).toMatch(/zh-CN or en/);
    expect(lines.find((l) => l.includes('SESSION_TIMEOUT_MINUTES'))).toMatch(/at least 1/);
    expect(lines.find((l) => l.includes('LOG_LEVEL'))).toMatch(/one of/);
    expect(lines.find((l) => l.includes('PII_KEY'))).toMatch(/openssl rand -base64 32/);
    expect(lines.find((l) => l.includes('MONGODB_URI'))).toMatch(/mongodb:\/\//);
  });

  it('reads RUNNING_TURNS_LIMIT (fixed by default, or adaptive) and names the two values when it is neither', () => {
    expect(loadConfig({}).RUNNING_TURNS_LIMIT).toBe('fixed');
    expect(loadConfig({ RUNNING_TURNS_LIMIT: 'adaptive', MAX_RUNNING_TURNS: '48' })).toMatchObject({ RUNNING_TURNS_LIMIT: 'adaptive', MAX_RUNNING_TURNS: 48 });
    expect(problems({ RUNNING_TURNS_LIMIT: 'auto' })).toEqual([expect.stringMatching(/RUNNING_TURNS_LIMIT.*fixed or adaptive/)]);
  });

  it('requires PII_KEY with MONGODB_URI, and accepts both together', () => {
    expect(problems({ MONGODB_URI: 'mongodb://db:27017/redcollar' })[0]).toMatch(/PII_KEY is required when MONGODB_URI is set/);
    expect(loadConfig({ MONGODB_URI: 'mongodb://db:27017/redcollar', PII_KEY: KEY }).MONGODB_URI).toBe('mongodb://db:27017/redcollar');
  });

  it('keeps demo mode off by default and refuses it with MONGODB_URI unless DEMO_MODE_ALLOW_REAL_DB is set', () => {
    expect(loadConfig({})).toMatchObject({ DEMO_MODE: false, DEMO_MODE_ALLOW_REAL_DB: false });
    expect(loadConfig({ DEMO_MODE: 'true' }).DEMO_MODE).toBe(true);
    const real = { MONGODB_URI: 'mongodb://db:27017/redcollar', PII_KEY: KEY, DEMO_MODE: 'true' };
    expect(problems(real)).toEqual([expect.stringMatching(/^DEMO_MODE is refused with MONGODB_URI: .*DEMO_MODE_ALLOW_REAL_DB=true/)]);
    expect(loadConfig({ ...real, DEMO_MODE_ALLOW_REAL_DB: 'true' })).toMatchObject({ DEMO_MODE: true, DEMO_MODE_ALLOW_REAL_DB: true });
    expect(loadConfig({ MONGODB_URI: real.MONGODB_URI, PII_KEY: KEY, DEMO_MODE: 'false' }).DEMO_MODE).toBe(false);
    expect(problems({ DEMO_MODE: 'on' })[0]).toMatch(/DEMO_MODE must be true or false/);
  });

  it('reads WECHAT_OA_MODE and WECHAT_MP_MODE; compatible and safe mode need the AES key', () => {
    const AES = 'a'.repeat(43);
    expect(loadConfig({ WECHAT_OA_MODE: 'compatible', WECHAT_OA_AES_KEY: AES, WECHAT_MP_MODE: 'plain' })).toMatchObject({ WECHAT_OA_MODE: 'compatible', WECHAT_MP_MODE: 'plain' });
    // Unset: the channel picks safe with a key, plain without.
    expect(loadConfig({}).WECHAT_OA_MODE).toBeUndefined();
    expect(problems({ WECHAT_OA_MODE: 'secure' })[0]).toMatch(/WECHAT_OA_MODE must be plain, compatible or safe/);
    expect(problems({ WECHAT_OA_MODE: 'safe', WECHAT_MP_MODE: 'compatible' })).toEqual([
      'WECHAT_OA_MODE=safe needs WECHAT_OA_AES_KEY (the EncodingAESKey from the WeChat console)',
      'WECHAT_MP_MODE=compatible needs WECHAT_MP_AES_KEY (the EncodingAESKey from the WeChat console)',
    ]);
  });
});
