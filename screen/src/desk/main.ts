import { createPinia } from 'pinia'
import { createApp } from 'vue'
import '../shared/theme.css'
import './desk.css'
import DeskApp from './DeskApp.vue'

createApp(DeskApp).use(createPinia()).mount('#app')
