import { createRouter, createWebHistory, type RouteComponent, type RouteLocationNormalized } from 'vue-router';
import type { PublicUser } from '../shared/api.js';
import { can, type Permission } from '../shared/permissions.js';
import { useSessionStore } from './stores/session.js';
import AdminView from './views/AdminView.vue';
import AuditView from './views/AuditView.vue';
import DispatchView from './views/DispatchView.vue';
import GovernanceView from './views/GovernanceView.vue';
import LoginView from './views/LoginView.vue';
import MapView from './views/MapView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** reachable without a session */
    public?: boolean;
    /** i18n key of the page's name (nav, "coming soon", "no permission") */
    title?: string;
    /** the page opens for a user holding any of these permissions (DESIGN §11) */
    anyOf?: readonly Permission[];
    /** resolves to the signed-in user's home page */
    home?: boolean;
  }
}

/** A page of the top bar, in the order the bar shows them; the first one a user may open is their home. */
export interface Page {
  path: string;
  title: string;
  anyOf: readonly Permission[];
}

export const PAGES: readonly Page[] = [
  { path: '/map', title: 'nav.map', anyOf: ['read'] },
  { path: '/wall', title: 'nav.wall', anyOf: ['read'] },
  { path: '/dispatch', title: 'nav.dispatch', anyOf: ['read'] },
  { path: '/leader', title: 'nav.leader', anyOf: ['read'] },
  { path: '/governance', title: 'nav.governance', anyOf: ['read'] },
  { path: '/admin', title: 'nav.admin', anyOf: ['users.manage', 'keys.manage'] },
  { path: '/audit', title: 'nav.audit', anyOf: ['audit.read'] },
];

/** True when the user may open a page that asks for any of `anyOf` (nothing asked: everyone). */
export function mayOpen(user: PublicUser | null, anyOf: readonly Permission[] | undefined): boolean {
  if (!anyOf || anyOf.length === 0) return true;
  return user !== null && anyOf.some((p) => can(user.roles, p));
}

/** The pages of the top bar the user may open. */
export const pagesFor = (user: PublicUser | null) => PAGES.filter((p) => mayOpen(user, p.anyOf));

/** Where a user lands: the live map for whoever may read, the audit trail for an auditor. */
export function homeFor(user: PublicUser | null): string {
  return pagesFor(user)[0]?.path ?? '/no-access';
}

/** Only paths inside this app are valid `next` targets (no open redirect to another origin). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

const Empty: RouteComponent = { render: () => null };
const page = (p: Page, component: RouteComponent) => ({ path: p.path, component, meta: { title: p.title, anyOf: p.anyOf } });
const byPath = (path: string) => PAGES.find((p) => p.path === path)!;

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: Empty, meta: { home: true } },
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    { ...page(byPath('/map'), MapView), name: 'map' },
    // the wall screen (DESIGN §9): full-screen, above the app's own bar; its own chunk (ECharts)
    { ...page(byPath('/wall'), () => import('./views/WallView.vue')), name: 'wall' },
    { ...page(byPath('/dispatch'), DispatchView), name: 'dispatch' },
    // the leader view (issue 9): its own chunk (ECharts), and its printable daily report
    { ...page(byPath('/leader'), () => import('./views/LeaderView.vue')), name: 'leader' },
    { path: '/leader/report', name: 'leader-report', component: () => import('./views/LeaderReportView.vue'), meta: { title: 'nav.leader', anyOf: byPath('/leader').anyOf } },
    { ...page(byPath('/governance'), GovernanceView), name: 'governance' },
    { ...page(byPath('/admin'), AdminView), name: 'admin' },
    { ...page(byPath('/audit'), AuditView), name: 'audit' },
    // a user whose roles open no page at all: App shows the "no permission" panel here
    { path: '/no-access', name: 'no-access', component: Empty, meta: { title: 'nav.none', anyOf: ['read', 'audit.read', 'users.manage', 'keys.manage'] } },
    { path: '/:pathMatch(.*)*', component: Empty, meta: { home: true } },
  ],
});

router.beforeEach(async (to: RouteLocationNormalized) => {
  const session = useSessionStore();
  await session.ensureLoaded();
  if (to.meta.public) return session.user && to.name === 'login' ? landing(session.user, to.query.next) : true;
  if (!session.user) return to.meta.home ? { path: '/login' } : { path: '/login', query: { next: to.fullPath } };
  if (to.meta.home) return { path: homeFor(session.user), replace: true };
  // a page the user may not open is still entered: App shows the "no permission" panel in its place
  return true;
});

/**
 * Where login sends a user: the page they asked for when they may open it, their home otherwise
 * (an auditor sent to login from the map lands on the audit trail, not on a refusal).
 */
export function landing(user: PublicUser, next: unknown): string {
  const target = safeNext(next);
  const resolved = router.resolve(target);
  if (resolved.meta.home || !mayOpen(user, resolved.meta.anyOf)) return homeFor(user);
  return target;
}
