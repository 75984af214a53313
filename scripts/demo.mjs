// Placeholder until the runtime emulator lands: `npm run demo` will then boot a sample
// contract locally. Exits 0 so `npm ci && npm run demo` already works as a set-up check.
console.log('demo arrives with the emulator');
