import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { useAuthStore } from '../shared/stores/auth.ts'
import ResidentApp from './ResidentApp.vue'
import './resident.css'

const pinia = createPinia()
// The shared API client sends the signed-in user's token when there is one. This page is public:
// a grid worker's token left on the same phone by /m/ must not ride along with a resident's
// report. Clearing the store's copy (not localStorage) keeps the worker signed in on /m/.
useAuthStore(pinia).token = null
createApp(ResidentApp).use(pinia).mount('#app')
