import { defineFeature } from '../feature.ts';
import { messages } from './messages.ts';

/** Satisfaction polls (满意度测评): the list, creating one, and one poll's progress, codes and results. */
export default defineFeature({
  routes: [
    { path: 'polls', name: 'polls', component: () => import('./PollsPage.vue'), meta: { title: 'nav.polls' } },
    { path: 'polls/:id', name: 'poll', component: () => import('./PollPage.vue'), meta: { title: 'nav.poll', parent: 'polls' } },
  ],
  menu: [{ name: 'polls', title: 'nav.polls', order: 25 }],
  messages,
});
