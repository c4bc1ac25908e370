// A merchant's React 19 checkout page around the checkout elements.
//
// React 19 passes a custom element's props as properties when the element has them
// (`clientSecret`, `hideTier`…: `key in element`), and `on<event-name>` adds a listener for
// that exact event name, so no wrapper is needed; a ref reaches the session to refresh it.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { openCheckout, payWithTestPsp } from '../shop.js';

function Checkout() {
  const session = useRef(null);
  const [clientSecret, setClientSecret] = useState('');
  const [customer, setCustomer] = useState(null);
  const [lastEvent, setLastEvent] = useState('');

  // The shop's server opens the checkout and hands this page its client secret.
  useEffect(() => {
    let live = true;
    openCheckout().then(
      (order) => live && setClientSecret(order.clientSecret),
      (error) => live && setLastEvent(`error, ${error.message}`),
    );
    return () => {
      live = false;
    };
  }, []);

  // <checkout-pay> asks for the amount due: the shop's PSP takes it, its server confirms it,
  // then the session reads the checkout again to show the receipt.
  async function onPaymentRequested(event) {
    setLastEvent(`payment-requested, ${event.detail.amount.amount} ${event.detail.amount.currency}`);
    try {
      await payWithTestPsp(event.detail);
      await session.current.refresh();
    } catch (error) {
      setLastEvent(`payment-failed, ${error.message}`);
    }
  }

  return (
    <>
      <header>
        <h1>React 19 shop</h1>
        <p>React renders the checkout elements, sets their properties and keeps their events in its state.</p>
        <a href="/">Back to the demo shop</a>
      </header>
      {clientSecret ? (
        <main>
          <checkout-session ref={session} id="checkout" endpoint="/api/crmcom" clientSecret={clientSecret} currency="EUR" locale="en">
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
              onpayment-requested={onPaymentRequested}
              onpayment-succeeded={(event) => setLastEvent(`payment-succeeded, receipt ${event.detail.receipt.reference}`)}
              onpayment-failed={(event) => setLastEvent(`payment-failed, ${event.detail.problem.title}`)}
            ></checkout-pay>
          </aside>
        </main>
      ) : (
        <p role="status">Opening your order…</p>
      )}
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
