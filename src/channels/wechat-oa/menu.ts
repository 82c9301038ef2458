/**
 * The account's custom menu (created by `npm run wechat:menu`) and what its CLICK keys mean: each key stands for
 * the command a user could type, and is sent to the pipeline as that text, so the menu and typing behave alike.
 * A Map: the EventKey of a signed CLICK is looked up as sent, and `constructor` must be an unknown key, not Object.
 */
export const CLICK_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['REGISTER', '注册'],
  ['PROFILE', '我的信息'],
  ['DECLARE', '申报'],
  ['STATUS', '进度'],
  ['CERTS', '我的证书'],
  ['HELP', '帮助'],
  ['MENU', '菜单'],
]);

/** WeChat allows 3 top-level buttons of up to 5 sub-buttons each. */
export const OA_MENU = {
  button: [
    {
      name: '注册登记',
      sub_button: [
        { type: 'click', name: '注册', key: 'REGISTER' },
        { type: 'click', name: '我的信息', key: 'PROFILE' },
      ],
    },
    {
      name: '资格申报',
      sub_button: [
        { type: 'click', name: '申报', key: 'DECLARE' },
        { type: 'click', name: '办理进度', key: 'STATUS' },
        { type: 'click', name: '我的证书', key: 'CERTS' },
      ],
    },
    { type: 'click', name: '帮助', key: 'HELP' },
  ],
} as const;
