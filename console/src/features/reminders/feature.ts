import { defineFeature } from '../feature.ts';

const kinds = {
  'zh-CN': { sessionStart: '培训开课', examDate: '考试', returnedApplication: '退回申报', inspectionDue: '年检', certificateExpiring: '证书到期', newSecretaryUntrained: '新任书记培训', rotation: '任职满五年', hoursShort: '学时不足', abandonedConversation: '未完成的办理' },
  en: { sessionStart: 'Session start', examDate: 'Exam', returnedApplication: 'Returned application', inspectionDue: 'Annual inspection', certificateExpiring: 'Certificate expiring', newSecretaryUntrained: 'New secretary untrained', rotation: 'Five years in post', hoursShort: 'Hours short', abandonedConversation: 'Unfinished conversation' },
};

/** Reminders: scheduled, sent and skipped per kind and reason, and the region's settings. */
export default defineFeature({
  routes: [{ path: 'reminders', name: 'reminders', component: () => import('./RemindersPage.vue'), meta: { title: 'nav.reminders' } }],
  menu: [{ name: 'reminders', title: 'nav.reminders', order: 45 }],
  messages: {
    'zh-CN': {
      nav: { reminders: '提醒' },
      reminders: {
        kinds: kinds['zh-CN'],
        status: { scheduled: '待发送', sent: '已发送', skipped: '未发送', cancelled: '已取消', digested: '并入汇总' },
        reasons: { muted: '已退订', factsChanged: '情况已变化', disabled: '已关闭', noWorker: '无此人', sendFailed: '发送失败', unreachable: '无法送达', dailyCap: '超过每日上限' },
        kind: '提醒类型',
        reason: '原因',
        total: '合计',
        notSent: '未发送/取消',
        byKind: '各类提醒',
        summary: '发送情况',
        settings: '本地区提醒设置',
        source: { region: '本地区设置', inherited: '沿用 {from} 的设置', policy: '政策默认设置' },
        dailyCap: '每人每日上限',
        quietStart: '免打扰开始',
        quietEnd: '免打扰结束',
        spread: '错峰分钟',
        enabled: '开启',
        offsets: '提前/延后小时（逗号分隔）',
        badOffsets: '“{kind}”的小时数请写成 24, 2 这样的数字',
        save: '保存设置',
      },
    },
    en: {
      nav: { reminders: 'Reminders' },
      reminders: {
        kinds: kinds.en,
        status: { scheduled: 'Scheduled', sent: 'Sent', skipped: 'Skipped', cancelled: 'Cancelled', digested: 'In digest' },
        reasons: { muted: 'Muted', factsChanged: 'Facts changed', disabled: 'Switched off', noWorker: 'No such worker', sendFailed: 'Send failed', unreachable: 'Unreachable', dailyCap: 'Over the daily cap' },
        kind: 'Kind',
        reason: 'Reason',
        total: 'Total',
        notSent: 'Not sent',
        byKind: 'Reminders by kind',
        summary: 'Delivery',
        settings: 'Reminder settings of the region',
        source: { region: 'Set for this region', inherited: 'Inherited from {from}', policy: 'Policy defaults' },
        dailyCap: 'Per worker per day',
        quietStart: 'Quiet from',
        quietEnd: 'Quiet until',
        spread: 'Spread (min)',
        enabled: 'On',
        offsets: 'Hours before/after (comma-separated)',
        badOffsets: 'Write the hours of "{kind}" as numbers like 24, 2',
        save: 'Save settings',
      },
    },
  },
});
