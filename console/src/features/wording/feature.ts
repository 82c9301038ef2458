import { defineFeature } from '../feature.ts';

/**
 * No pages: wording the shared pages and dialogs gained after the newcomer trial (the satisfaction field's
 * percent, the score bound), kept in a feature folder because the core locale files are shared by every area.
 */
export default defineFeature({
  routes: [],
  messages: {
    'zh-CN': {
      wording: {
        ratePercent: '满意率（百分数，0–100，如 90 表示 90%）',
        rateResult: '将录入满意率 {percent}',
        rateRange: '满意率是 0 到 100 之间的百分数',
        rateFraction: '请按百分数填写：90 表示 90%（不要填 0.9）',
        scoreRange: '成绩是 0 到 100 之间的数',
        sessionExpired: '会话已过期，请重新登录',
      },
    },
    en: {
      wording: {
        ratePercent: 'Satisfaction (percent, 0–100: 90 means 90%)',
        rateResult: 'Will record a satisfaction rate of {percent}',
        rateRange: 'Satisfaction is a percentage from 0 to 100',
        rateFraction: 'Type a percentage: 90 means 90% (not 0.9)',
        scoreRange: 'A score is a number from 0 to 100',
        sessionExpired: 'Your session has expired; please log in again',
      },
    },
  },
});
