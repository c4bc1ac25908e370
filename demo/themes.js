// The themes page asks the demo shop's server for one café checkout per theme (the server
// keeps the proxy's secret key; the page gets only each checkout's client secret). Each copy
// keeps its order number for the tab, as a shop keeps its cart: a reload finds the same checkouts.
for (const session of document.querySelectorAll('checkout-session')) {
  const key = `themes-order:${session.id}`;
  const response = await fetch('/shop/checkouts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'ru-loyalty', order: sessionStorage.getItem(key) ?? undefined }),
  });
  const order = await response.json();
  sessionStorage.setItem(key, order.order);
  session.setAttribute('client-secret', order.clientSecret);
}
