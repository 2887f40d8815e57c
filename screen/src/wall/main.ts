import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './WallApp.vue'
import { applyDesignScale } from './lib/design-scale.ts'
import '../shared/theme.css'

applyDesignScale()
createApp(App).use(createPinia()).mount('#app')
