import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { setUnauthorizedHandler } from './api/http.js';
import { i18n } from './i18n/index.js';
import { router } from './router.js';
import { useSessionStore } from './stores/session.js';
import './styles.css';

const pinia = createPinia();
const app = createApp(App).use(pinia).use(router).use(i18n);
setUnauthorizedHandler(() => useSessionStore(pinia).expire());
app.mount('#app');
