import { defineFeature } from '../feature.ts';
import { messages } from './messages.ts';

/** 群发通知: list, compose (and edit a draft), detail with live progress. */
export default defineFeature({
  routes: [
    { path: 'broadcasts', name: 'broadcasts', component: () => import('./BroadcastsPage.vue'), meta: { title: 'nav.broadcasts' } },
    {
      path: 'broadcasts/new',
      name: 'broadcastCompose',
      component: () => import('./ComposePage.vue'),
      meta: { title: 'nav.broadcastCompose', parent: 'broadcasts' },
    },
    {
      path: 'broadcasts/:id/edit',
      name: 'broadcastEdit',
      component: () => import('./ComposePage.vue'),
      meta: { title: 'broadcasts.compose.editTitle', parent: 'broadcasts' },
    },
    { path: 'broadcasts/:id', name: 'broadcast', component: () => import('./DetailPage.vue'), meta: { title: 'nav.broadcast', parent: 'broadcasts' } },
  ],
  menu: [{ name: 'broadcasts', title: 'nav.broadcasts', order: 45 }],
  messages,
});
