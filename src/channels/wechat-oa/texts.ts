/**
 * The few things the WeChat channel says by itself, before a message reaches the conversation engine (which has
 * no notion of voice or video). zh-CN, as WeChat users get it; a factory option overrides them. They belong in
 * templates/zh-CN/common.yaml once the channel may read the translator; kept here so this folder stands alone.
 */
export interface WechatOaTexts {
  /** A voice message without speech recognition. */
  voiceNotRecognised: string;
  /** Video, location, links, files: nothing the bot can read. */
  unsupported: string;
}

export const DEFAULT_OA_TEXTS: WechatOaTexts = {
  voiceNotRecognised: '抱歉，暂时无法识别语音内容，请直接输入文字。',
  unsupported: '抱歉，暂不支持这类消息，请输入文字，或回复“菜单”查看可以办理的事项。',
};
