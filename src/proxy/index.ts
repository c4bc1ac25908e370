/**
 * The proxy's public entry (for a shop that mounts the proxy in its own server, and for its
 * webhook endpoint): the web-standard app factory, the stores for several instances, the
 * webhook verification, and the types of the shop's server API.
 */
export { createCheckoutProxy, type CheckoutProxyOptions } from './app.js';
export { createProxyFromConfig } from './create.js';
export { loadConfig, parseConfig, ConfigError, type ProxyConfig } from './config.js';
export { MemoryCartSource, buildCart, type Cart, type CartSource, type CartLineInput } from './carts.js';
export { MemoryCheckoutStore, type CheckoutRecord, type CheckoutStore } from './checkout/record.js';
export { RedisCheckoutStore } from './stores/redis.js';
export { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';
export { RedisIdempotencyStore } from './idempotency/redis.js';
export { verifyWebhook, WebhookSignatureError } from './webhooks/sign.js';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType, type WebhookMessage } from './webhooks/events.js';
export { MemoryOutbox, type WebhookOutbox } from './webhooks/outbox.js';
export { BullMqOutbox } from './webhooks/bullmq-outbox.js';
export type { InstalmentCustomerSource } from './instalments/flow.js';
export type { LoyaltyProvider, InstalmentProvider } from './providers/provider.js';
export { createLoyaltyProvider, createInstalmentProvider, LoyaltyOptions, InstalmentOptions } from './providers/index.js';
export type { CreateCheckoutRequest, CreateCheckoutReply, ExternalPaymentRequest, ServerCheckout, TillCredentialRequest, ResolveRequest } from '../protocol/server.js';
