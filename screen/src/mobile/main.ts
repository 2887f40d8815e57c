import { createPinia } from 'pinia'
import { createApp } from 'vue'
import MobileApp from './MobileApp.vue'
import './mobile.css'

createApp(MobileApp).use(createPinia()).mount('#app')
