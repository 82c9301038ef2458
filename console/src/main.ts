import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './style.css';
import App from './App.vue';
import { registerElementPlus } from './elementPlus.ts';
import { i18n } from './i18n.ts';
import { router } from './router.ts';

const app = createApp(App);
registerElementPlus(app);
app.use(i18n).use(router).mount('#app');
