// A merchant's Vue 3 checkout page around the checkout elements.
//
// Vue is told which tags are custom elements (`isCustomElement`), binds `.prop` values as
// properties (`:clientSecret.prop`, `:hideTier.prop`), listens to their events with
// `@event-name` and reaches the session through a template ref. This example compiles its
// template in the browser (Vue's runtime + compiler build); a production app precompiles it
// (single-file components), which also keeps `unsafe-eval` out of the page's
// Content-Security-Policy.
import { createApp, onMounted, ref } from 'vue';
import { openCheckout, payWithTestPsp } from '../shop.js';

const app = createApp({
  setup() {
    const session = ref(null);
    const clientSecret = ref('');
    const customer = ref(null);
    const lastEvent = ref('');

    // The shop's server opens the checkout and hands this page its client secret.
    onMounted(async () => {
      try {
        clientSecret.value = (await openCheckout()).clientSecret;
      } catch (error) {
        lastEvent.value = `error, ${error.message}`;
      }
    });

    return {
      session,
      clientSecret,
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
      // <checkout-pay> asks for the amount due: the shop's PSP takes it, its server confirms
      // it, then the session reads the checkout again to show the receipt.
      async onPaymentRequested(event) {
        lastEvent.value = `payment-requested, ${event.detail.amount.amount} ${event.detail.amount.currency}`;
        try {
          await payWithTestPsp(event.detail);
          await session.value.refresh();
        } catch (error) {
          lastEvent.value = `payment-failed, ${error.message}`;
        }
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
    <main v-if="clientSecret">
      <checkout-session ref="session" id="checkout" :endpoint.prop="'/api/crmcom'" :clientSecret.prop="clientSecret" :currency.prop="'EUR'" :locale.prop="'en'">
        <section class="panel" aria-labelledby="account-title">
          <h2 id="account-title">Your loyalty account</h2>
          <customer-lookup @customer-found="onCustomerFound" @customer-cleared="onCustomerCleared"></customer-lookup>
          <loyalty-balance :hideTier.prop="true"></loyalty-balance>
        </section>
      </checkout-session>
      <aside class="panel" aria-labelledby="pay-title">
        <h2 id="pay-title">Payment</h2>
        <checkout-pay :session.prop="'checkout'" @payment-requested="onPaymentRequested" @payment-succeeded="onPaymentSucceeded" @payment-failed="onPaymentFailed"></checkout-pay>
      </aside>
    </main>
    <p v-else role="status">Opening your order…</p>
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
