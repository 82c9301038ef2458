/** Who is logged in, shared by the pages; the API client, configured to send the user to login on a 401. */
import { reactive, shallowRef } from 'vue';
import { createAdminApi } from './api/admin.ts';
import type { Account, Catalog } from './api/types.ts';
import { currentLocale } from './i18n.ts';
import { catalogNames, refusalText } from './logic/refusal.ts';

export const session = reactive<{ account: Account | null; mustChangePassword: boolean; checked: boolean; expired: boolean }>({
  account: null,
  mustChangePassword: false,
  checked: false,
  /** The API said the session ended (idle, too old, revoked): the login page says so instead of appearing unasked. */
  expired: false,
});

/** Set by router.ts: where a 401 or a forced password change sends the user. */
export const navigation: { toLogin(): void; toPassword(): void } = { toLogin: () => undefined, toPassword: () => undefined };

/**
 * Stage, level and region names; loaded once after sign-in, ids shown until then. A ref, so a page drawn before
 * it arrived redraws with the names.
 */
const catalog = shallowRef<Catalog | null>(null);

/** The catalog's names in the admin's language (ids until it has loaded). */
export const names = () => catalogNames(catalog.value, currentLocale());

export const api = createAdminApi({
  explain: (error) => refusalText(error, currentLocale(), names()),
  onUnauthorized: (error) => {
    session.expired = error.code === 'sessionExpired';
    session.account = null;
    navigation.toLogin();
  },
  onPasswordChangeRequired: () => {
    session.mustChangePassword = true;
    navigation.toPassword();
  },
});

export function signedIn(info: { account: Account; mustChangePassword: boolean }): void {
  session.account = info.account;
  session.mustChangePassword = info.mustChangePassword;
  session.checked = true;
  session.expired = false;
  if (!catalog.value) {
    api.catalog().then(
      (c) => (catalog.value = c),
      () => undefined,
    );
  }
}

export function signedOut(): void {
  session.account = null;
  session.mustChangePassword = false;
  session.checked = true;
}
