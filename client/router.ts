import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { useSessionStore } from './stores/session.js';
import LoginView from './views/LoginView.vue';
import MapView from './views/MapView.vue';
import ComingSoonView from './views/ComingSoonView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** reachable without a session */
    public?: boolean;
    /** i18n key of the page's name (nav, "coming soon") */
    title?: string;
  }
}

/** Only paths inside this app are valid `next` targets (no open redirect to another origin). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/map';
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/map' },
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    { path: '/map', name: 'map', component: MapView, meta: { title: 'nav.map' } },
    // the live map becomes the wall screen later
    { path: '/wall', name: 'wall', component: MapView, meta: { title: 'nav.wall' } },
    { path: '/dispatch', name: 'dispatch', component: ComingSoonView, meta: { title: 'nav.dispatch' } },
    { path: '/leader', name: 'leader', component: ComingSoonView, meta: { title: 'nav.leader' } },
    { path: '/governance', name: 'governance', component: ComingSoonView, meta: { title: 'nav.governance' } },
    { path: '/admin', name: 'admin', component: ComingSoonView, meta: { title: 'nav.admin' } },
    { path: '/:pathMatch(.*)*', redirect: '/map' },
  ],
});

router.beforeEach(async (to: RouteLocationNormalized) => {
  const session = useSessionStore();
  await session.ensureLoaded();
  if (to.meta.public) return session.user && to.name === 'login' ? safeNext(to.query.next) : true;
  if (!session.user) return { path: '/login', query: { next: to.fullPath } };
  return true;
});
