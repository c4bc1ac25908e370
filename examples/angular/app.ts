// A merchant's Angular checkout page around the checkout elements.
//
// A standalone component with CUSTOM_ELEMENTS_SCHEMA: `[hideTier]`, `[cartId]`… are property
// bindings, `(payment-succeeded)` an event binding, the received events go into signals, and
// change detection is zoneless (no zone.js). This example compiles its template in the browser
// (JIT, hence `@angular/compiler` first); a production app compiles ahead of time (Angular CLI),
// which also keeps `unsafe-eval` out of the page's Content-Security-Policy.
import '@angular/compiler';
import { Component, CUSTOM_ELEMENTS_SCHEMA, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';

interface Customer {
  displayName: string;
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
    <main>
      <checkout-session id="checkout" [endpoint]="'/api/crmcom'" [cartId]="'crm-demo'" [currency]="'EUR'" [locale]="'en'">
        <section class="panel" aria-labelledby="account-title">
          <h2 id="account-title">Your loyalty account</h2>
          <customer-lookup (customer-found)="onCustomerFound($event)" (customer-cleared)="onCustomerCleared()"></customer-lookup>
          <loyalty-balance [hideTier]="true"></loyalty-balance>
        </section>
      </checkout-session>
      <aside class="panel" aria-labelledby="pay-title">
        <h2 id="pay-title">Payment</h2>
        <!-- A property binding: Angular sets it after inserting the element, which then joins the session. -->
        <checkout-pay [session]="'checkout'" [method]="'card'" (payment-succeeded)="onPaymentSucceeded($event)" (payment-failed)="onPaymentFailed($event)"></checkout-pay>
      </aside>
    </main>
    <section class="panel" aria-labelledby="received-title">
      <h2 id="received-title">What Angular received</h2>
      <p id="customer">{{ customer() ? 'Customer: ' + customer()!.displayName : 'No customer yet' }}</p>
      <p id="last-event" role="status">{{ lastEvent() ? 'Last event: ' + lastEvent() : 'No event yet' }}</p>
    </section>
  `,
})
class ShopCheckout {
  readonly customer = signal<Customer | null>(null);
  readonly lastEvent = signal('');

  onCustomerFound(event: Event) {
    const { customer } = (event as CustomEvent<{ customer: Customer }>).detail;
    this.customer.set(customer);
    this.lastEvent.set(`customer-found, ${customer.displayName}`);
  }

  onCustomerCleared() {
    this.customer.set(null);
    this.lastEvent.set('customer-cleared');
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
