import { createContext } from '@lit/context';
import type { Capabilities, Checkout, PaymentMethod, Problem } from '../protocol/index.js';

/** What the elements of one checkout share. Replaced (never mutated) on every change. */
export interface CheckoutState {
  /** `loading` until capabilities and the checkout are known. */
  phase: 'loading' | 'ready' | 'error';
  locale: string;
  capabilities?: Capabilities;
  checkout?: Checkout;
  /** The call in flight, if any: elements show it and refuse a second one. */
  busy?: 'lookup' | 'spend' | 'pay' | 'clear';
  /** The last failure and what was being done. */
  problem?: Problem;
  failedAction?: 'load' | 'lookup' | 'spend' | 'pay' | 'clear' | 'catalog';
  /** A payment was attempted and its outcome is not known (a retry reuses its key). */
  paymentPending?: boolean;
}

/** The actions elements may ask of their session. */
export interface CheckoutActions {
  lookup(query: string): Promise<Checkout>;
  clearCustomer(): Promise<Checkout>;
  setSpend(amount: number): Promise<Checkout>;
  pay(method: PaymentMethod): Promise<Checkout>;
  reload(): Promise<void>;
  subscribe(listener: (value: CheckoutContextValue) => void): () => void;
}

export interface CheckoutContextValue {
  state: CheckoutState;
  actions: CheckoutActions;
}

// A global symbol, so two separately loaded bundles of the elements still share a session.
export const checkoutContext = createContext<CheckoutContextValue | undefined>(Symbol.for('checkout-elements/checkout'));
