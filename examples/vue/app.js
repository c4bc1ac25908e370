// A merchant's Vue 3 checkout page around the checkout elements.
//
// Vue is told which tags are custom elements (`isCustomElement`), binds `.prop` values as
// properties (`:hideTier.prop`, `:cartId.prop`) and listens to their events with `@event-name`.
// This example compiles its template in the browser (Vue's runtime + compiler build); a
// production app precompiles it (single-file components), which also keeps `unsafe-eval` out of
// the page's Content-Security-Policy.
import { createApp, ref } from 'vue';

const app = createApp({
  setup() {
    const customer = ref(null);
    const lastEvent = ref('');
    return {
      customer,
      lastEvent,
      onCustomerFound(event) {
        customer.value = event.detail.customer;
        lastEvent.value = `customer-found, ${event.detail.customer.displayName}`;
      },
      onCustomerCleared() {
        customer.value = null;
        lastEvent.value = 'customer-cleared';
      },
      onPaymentSucceeded(event) {
        lastEvent.value = `payment-succeeded, receipt ${event.detail.receipt.reference}`;
      },
      onPaymentFailed(event) {
        lastEvent.value = `payment-failed, ${event.detail.problem.title}`;
      },
    };
  },
  template: `
    <header>
      <h1>Vue 3 shop</h1>
      <p>Vue renders the checkout elements, sets their properties and keeps their events in its state.</p>
      <a href="/">Back to the demo shop</a>
    </header>
    <main>
      <checkout-session id="checkout" :endpoint.prop="'/api/crmcom'" :cartId.prop="'crm-demo'" :currency.prop="'EUR'" :locale.prop="'en'">
        <section class="panel" aria-labelledby="account-title">
          <h2 id="account-title">Your loyalty account</h2>
          <customer-lookup @customer-found="onCustomerFound" @customer-cleared="onCustomerCleared"></customer-lookup>
          <loyalty-balance :hideTier.prop="true"></loyalty-balance>
        </section>
      </checkout-session>
      <aside class="panel" aria-labelledby="pay-title">
        <h2 id="pay-title">Payment</h2>
        <checkout-pay :session.prop="'checkout'" :method.prop="'card'" @payment-succeeded="onPaymentSucceeded" @payment-failed="onPaymentFailed"></checkout-pay>
      </aside>
    </main>
    <section class="panel" aria-labelledby="received-title">
      <h2 id="received-title">What Vue received</h2>
      <p id="customer">{{ customer ? 'Customer: ' + customer.displayName : 'No customer yet' }}</p>
      <p id="last-event" role="status">{{ lastEvent ? 'Last event: ' + lastEvent : 'No event yet' }}</p>
    </section>
  `,
});
// Every tag with a dash is a custom element for Vue: rendered as is, not resolved as a component.
app.config.compilerOptions.isCustomElement = (tag) => tag.includes('-');
app.mount('#app');
