// A merchant's Angular checkout page around the checkout elements.
//
// A standalone component with CUSTOM_ELEMENTS_SCHEMA: `[hideTier]`, `[clientSecret]`… are
// property bindings, `(payment-succeeded)` an event binding, the received events go into
// signals, a `@ViewChild` query reaches the session, and change detection is zoneless (no zone.js). This example compiles its template in the browser
// (JIT, hence `@angular/compiler` first); a production app compiles ahead of time (Angular CLI),
// which also keeps `unsafe-eval` out of the page's Content-Security-Policy.
import '@angular/compiler';
import { Component, CUSTOM_ELEMENTS_SCHEMA, type ElementRef, type OnInit, provideZonelessChangeDetection, signal, ViewChild } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { openCheckout, payWithTestPsp } from '../shop.js';

interface Customer {
  displayName: string;
}

interface PaymentRequest {
  checkoutId: string;
  amount: { amount: number; currency: string };
  key: string;
}

@Component({
  selector: 'shop-checkout',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <header>
      <h1>Angular shop</h1>
      <p>Angular renders the checkout elements, sets their properties and keeps their events in its state.</p>
      <a href="/">Back to the demo shop</a>
    </header>
    @if (clientSecret()) {
      <main>
        <checkout-session #session id="checkout" [endpoint]="'/api/crmcom'" [clientSecret]="clientSecret()" [currency]="'EUR'" [locale]="'en'">
          <section class="panel" aria-labelledby="account-title">
            <h2 id="account-title">Your loyalty account</h2>
            <customer-lookup (customer-found)="onCustomerFound($event)" (customer-cleared)="onCustomerCleared()"></customer-lookup>
            <loyalty-balance [hideTier]="true"></loyalty-balance>
          </section>
        </checkout-session>
        <aside class="panel" aria-labelledby="pay-title">
          <h2 id="pay-title">Payment</h2>
          <!-- A property binding: Angular sets it after inserting the element, which then joins the session. -->
          <checkout-pay
            [session]="'checkout'"
            (payment-requested)="onPaymentRequested($event)"
            (payment-succeeded)="onPaymentSucceeded($event)"
            (payment-failed)="onPaymentFailed($event)"
          ></checkout-pay>
        </aside>
      </main>
    } @else {
      <p role="status">Opening your order…</p>
    }
    <section class="panel" aria-labelledby="received-title">
      <h2 id="received-title">What Angular received</h2>
      <p id="customer">{{ customer() ? 'Customer: ' + customer()!.displayName : 'No customer yet' }}</p>
      <p id="last-event" role="status">{{ lastEvent() ? 'Last event: ' + lastEvent() : 'No event yet' }}</p>
    </section>
  `,
})
class ShopCheckout implements OnInit {
  // (A decorator query: the signal `viewChild()` needs the Angular compiler's JIT transform, which this build has not.)
  @ViewChild('session') session?: ElementRef<HTMLElement & { refresh(): Promise<unknown> }>;
  readonly clientSecret = signal('');
  readonly customer = signal<Customer | null>(null);
  readonly lastEvent = signal('');

  /** The shop's server opens the checkout and hands this page its client secret. */
  async ngOnInit() {
    try {
      this.clientSecret.set((await openCheckout()).clientSecret);
    } catch (error) {
      this.lastEvent.set(`error, ${(error as Error).message}`);
    }
  }

  onCustomerFound(event: Event) {
    const { customer } = (event as CustomEvent<{ customer: Customer }>).detail;
    this.customer.set(customer);
    this.lastEvent.set(`customer-found, ${customer.displayName}`);
  }

  onCustomerCleared() {
    this.customer.set(null);
    this.lastEvent.set('customer-cleared');
  }

  /**
   * <checkout-pay> asks for the amount due: the shop's PSP takes it, its server confirms it,
   * then the session reads the checkout again to show the receipt.
   */
  async onPaymentRequested(event: Event) {
    const detail = (event as CustomEvent<PaymentRequest>).detail;
    this.lastEvent.set(`payment-requested, ${detail.amount.amount} ${detail.amount.currency}`);
    try {
      await payWithTestPsp(detail);
      await this.session?.nativeElement.refresh();
    } catch (error) {
      this.lastEvent.set(`payment-failed, ${(error as Error).message}`);
    }
  }

  onPaymentSucceeded(event: Event) {
    const { receipt } = (event as CustomEvent<{ receipt: { reference: string } }>).detail;
    this.lastEvent.set(`payment-succeeded, receipt ${receipt.reference}`);
  }

  onPaymentFailed(event: Event) {
    const { problem } = (event as CustomEvent<{ problem: { title: string } }>).detail;
    this.lastEvent.set(`payment-failed, ${problem.title}`);
  }
}

bootstrapApplication(ShopCheckout, { providers: [provideZonelessChangeDetection()] }).catch((error) => console.error(error));
