import { createContext } from '@lit/context';
import type { PaymentRequest } from '../protocol/requests.js';
import type { Capabilities, Checkout, InstalmentEligibility, InstalmentPayment, InstalmentSession, PaymentMethod, Problem } from '../protocol/index.js';

/** What the elements of one checkout share. Replaced (never mutated) on every change. */
export interface CheckoutState {
  /** `loading` until capabilities and the checkout are known. */
  phase: 'loading' | 'ready' | 'error';
  /** The elements' language (`fr`, `pt-BR`…); empty until its catalogue is loaded, and the elements show nothing before. */
  locale: string;
  /** The page's language (the document's `lang`): content in another language carries its own `lang`. */
  lang?: string;
  capabilities?: Capabilities;
  checkout?: Checkout;
  /** The call in flight, if any: elements show it and refuse a second one. */
  busy?: 'lookup' | 'verify' | 'spend' | 'pay' | 'clear';
  /** The last failure and what was being done. */
  problem?: Problem;
  failedAction?: 'load' | 'lookup' | 'verify' | 'spend' | 'pay' | 'clear' | 'catalog' | 'instalments';
  /** A payment was attempted and its outcome is not known (a retry reuses its key). */
  paymentPending?: boolean;
  /** Pay in instalments, when the proxy has an instalment provider. */
  instalments?: InstalmentsState;
  /** `mode="pos"` and its chunk is loaded: a cashier at a till. */
  pos?: boolean;
}

/** Recorded at a till (POS mode): a cheque's bank and number, a card's network. */
export type PaymentDetails = Omit<PaymentRequest, 'method' | 'amount'>;

export interface InstalmentsState {
  /** The last eligibility (offers for `eligibility.amountDue`). */
  eligibility?: InstalmentEligibility;
  /** The offer the shopper chose; none = pay the amount due in full. */
  chosen?: string;
  /** The payment in instalments once started, restored after a reload or the return from the provider's page. */
  payment?: InstalmentPayment;
  /** This page load is the return from the provider's page and the payment is decided. */
  returned?: boolean;
}

/** The actions elements may ask of their session. */
export interface CheckoutActions {
  lookup(query: string): Promise<Checkout>;
  /** Proves the identified customer owns the account with a code only they have (where the provider has one). */
  verify(code: string): Promise<Checkout>;
  clearCustomer(): Promise<Checkout>;
  setSpend(amount: number): Promise<Checkout>;
  /**
   * Settles the amount due: recorded at once when nothing is due or at a till (`method`); on a
   * web page, handed to the shop's PSP (the checkout then waits for the shop's confirmation).
   */
  pay(method: PaymentMethod, details?: PaymentDetails): Promise<Checkout>;
  /** The shopper changes their mind while the shop's PSP is open: the checkout is open again. */
  cancelPaymentRequest(): Promise<Checkout>;
  /** Checks the instalment offers for the current amount due (abortable). */
  checkEligibility(signal?: AbortSignal): Promise<InstalmentEligibility>;
  /** Chooses an instalment offer by id; `undefined` = pay in full. */
  chooseOffer(id: string | undefined): void;
  /** Opens (or finds again) the payment session of the chosen offer: send the shopper to its `url`. */
  payInInstalments(): Promise<InstalmentSession>;
  /** Reads the payment in instalments again (after the return, or to check a pending one). */
  refreshInstalments(): Promise<void>;
  /** Gives up on the open payment in instalments (to pay another way). */
  abandonInstalments(): Promise<void>;
  reload(): Promise<void>;
  subscribe(listener: (value: CheckoutContextValue) => void): () => void;
}

export interface CheckoutContextValue {
  state: CheckoutState;
  actions: CheckoutActions;
}

// A global symbol, so two separately loaded bundles of the elements still share a session.
export const checkoutContext = createContext<CheckoutContextValue | undefined>(Symbol.for('checkout-elements/checkout'));
