import { createCheckoutProxy } from './app.js';
import { MemoryCartSource, type CartSource } from './carts.js';
import type { ProxyConfig } from './config.js';
import { createLoyaltyProvider } from './providers/index.js';

/** Builds the proxy from a validated configuration, mounted at `config.basePath`. */
export function createProxyFromConfig(config: ProxyConfig, overrides: { carts?: CartSource; log?: (m: string, e?: unknown) => void } = {}) {
  const loyalty = createLoyaltyProvider(config.loyalty);
  const app = createCheckoutProxy({
    basePath: config.basePath,
    loyalty,
    carts: overrides.carts ?? new MemoryCartSource(config.carts),
    allowedOrigins: config.allowedOrigins,
    privacy: config.privacy,
    lookupRateLimit: config.lookupRateLimit,
    clientIp: (c) => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress,
    log: overrides.log ?? ((message, error) => console.error(`[checkout-proxy] ${message}`, error instanceof Error ? error.message : (error ?? ''))),
  });
  return { app, close: () => loyalty.close?.() ?? Promise.resolve() };
}
