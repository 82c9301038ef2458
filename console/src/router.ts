import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { ApiError } from './api/http.ts';
import { api, navigation, session, signedIn, signedOut } from './session.ts';
import { features } from './features/index.ts';

/** Every page but login is lazy: a page's code (and ECharts, for the dashboard) loads when it is opened. */
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/ConsoleLayout.vue'),
    children: [
      { path: '', redirect: { name: 'dashboard' } },
      { path: 'dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { title: 'nav.dashboard' } },
      { path: 'applications', name: 'queue', component: () => import('./pages/QueuePage.vue'), meta: { title: 'nav.queue' } },
      {
        path: 'applications/:id',
        name: 'application',
        component: () => import('./pages/ApplicationPage.vue'),
        meta: { title: 'nav.application', parent: 'queue' },
      },
      { path: 'certificates', name: 'certificates', component: () => import('./pages/CertificatesPage.vue'), meta: { title: 'nav.certificates' } },
      {
        path: 'certificates/:number',
        name: 'certificate',
        component: () => import('./pages/CertificatePage.vue'),
        meta: { title: 'nav.certificate', parent: 'certificates' },
      },
      { path: 'reports', name: 'reports', component: () => import('./pages/ReportsPage.vue'), meta: { title: 'nav.reports' } },
      { path: 'audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: 'nav.audit' } },
      { path: 'accounts', name: 'accounts', component: () => import('./pages/AccountsPage.vue'), meta: { title: 'nav.accounts' } },
      { path: 'password', name: 'password', component: () => import('./pages/PasswordPage.vue'), meta: { title: 'nav.password' } },
      ...features.flatMap((f) => f.routes),
      { path: ':rest(.*)*', name: 'notFound', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'errors.notFound' } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory('/console/'), routes });

navigation.toLogin = () => {
  if (router.currentRoute.value.name !== 'login') void router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } });
};
navigation.toPassword = () => {
  if (router.currentRoute.value.name !== 'password') void router.push({ name: 'password' });
};

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      signedIn(await api.session());
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      signedOut();
    }
  }
  if (to.meta.public) return session.account && to.name === 'login' ? { name: 'dashboard' } : true;
  if (!session.account) return { name: 'login', query: { next: to.fullPath } };
  if (session.mustChangePassword && to.name !== 'password') return { name: 'password' };
  return true;
});
