import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { applyDesignScale } from './lib/design-scale.ts'
import './theme.css'

applyDesignScale()
createApp(App).use(createPinia()).mount('#app')
