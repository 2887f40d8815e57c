/** The demo accounts' password in test databases. */
export const TEST_PASSWORD = 'test-demo-password'
