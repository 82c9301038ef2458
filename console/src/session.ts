/** Who is logged in, shared by the pages; the API client, configured to send the user to login on a 401. */
import { reactive } from 'vue';
import { createAdminApi } from './api/admin.ts';
import type { Account } from './api/types.ts';

export const session = reactive<{ account: Account | null; mustChangePassword: boolean; checked: boolean }>({
  account: null,
  mustChangePassword: false,
  checked: false,
});

/** Set by router.ts: where a 401 or a forced password change sends the user. */
export const navigation: { toLogin(): void; toPassword(): void } = { toLogin: () => undefined, toPassword: () => undefined };

export const api = createAdminApi({
  onUnauthorized: () => {
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
}

export function signedOut(): void {
  session.account = null;
  session.mustChangePassword = false;
  session.checked = true;
}
