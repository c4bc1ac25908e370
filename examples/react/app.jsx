// A merchant's React 19 checkout page around the checkout elements.
//
// React 19 passes a custom element's props as properties when the element has them
// (`cartId`, `hideTier`…: `key in element`), and `on<event-name>` adds a listener for that
// exact event name, so no wrapper and no ref are needed.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

function Checkout() {
  const [customer, setCustomer] = useState(null);
  const [lastEvent, setLastEvent] = useState('');

  return (
    <>
      <header>
        <h1>React 19 shop</h1>
        <p>React renders the checkout elements, sets their properties and keeps their events in its state.</p>
        <a href="/">Back to the demo shop</a>
      </header>
      <main>
        <checkout-session id="checkout" endpoint="/api/crmcom" cartId="crm-demo" currency="EUR" locale="en">
          <section className="panel" aria-labelledby="account-title">
            <h2 id="account-title">Your loyalty account</h2>
            <customer-lookup
              oncustomer-found={(event) => {
                setCustomer(event.detail.customer);
                setLastEvent(`customer-found, ${event.detail.customer.displayName}`);
              }}
              oncustomer-cleared={() => {
                setCustomer(null);
                setLastEvent('customer-cleared');
              }}
            ></customer-lookup>
            <loyalty-balance hideTier={true}></loyalty-balance>
          </section>
        </checkout-session>
        <aside className="panel" aria-labelledby="pay-title">
          <h2 id="pay-title">Payment</h2>
          <checkout-pay
            session="checkout"
            method="card"
            onpayment-succeeded={(event) => setLastEvent(`payment-succeeded, receipt ${event.detail.receipt.reference}`)}
            onpayment-failed={(event) => setLastEvent(`payment-failed, ${event.detail.problem.title}`)}
          ></checkout-pay>
        </aside>
      </main>
      <section className="panel" aria-labelledby="received-title">
        <h2 id="received-title">What React received</h2>
        <p id="customer">{customer ? `Customer: ${customer.displayName}` : 'No customer yet'}</p>
        <p id="last-event" role="status">{lastEvent ? `Last event: ${lastEvent}` : 'No event yet'}</p>
      </section>
    </>
  );
}

// React chooses property or attribute when it first renders an element, by looking at the
// element: render once the tags are defined (the drop-in's module script runs first anyway).
await Promise.all(['checkout-session', 'customer-lookup', 'loyalty-balance', 'checkout-pay'].map((tag) => customElements.whenDefined(tag)));
createRoot(document.getElementById('app')).render(<Checkout />);
