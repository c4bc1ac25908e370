// The merchant page's own script. It listens to the checkout's public events, and switches the
// demo scenario by changing the session's attributes live (no remount).
const session = document.getElementById('checkout');
const pay = document.querySelector('checkout-pay');
const select = document.getElementById('scenario');
const log = document.getElementById('event-log');

for (const name of ['customer-found', 'customer-cleared', 'loyalty-change', 'eligibility-change', 'payment-succeeded', 'payment-failed', 'checkout-error']) {
  document.addEventListener(name, (event) => {
    const item = document.createElement('li');
    item.dataset.event = name;
    item.textContent = `${new Date().toLocaleTimeString()} ${name} ${JSON.stringify(event.detail)}`;
    log.prepend(item);
  });
}

// A club page lists what the identified member may buy (providers with a catalog).
document.addEventListener('catalog-change', ({ detail }) => {
  const items = detail.offers.map((offer) => {
    const item = document.createElement('li');
    const price = new Intl.NumberFormat(session.getAttribute('locale') || document.documentElement.lang, { style: 'currency', currency: offer.price.currency }).format(offer.price.amount / 100);
    item.textContent = `${offer.name} (${offer.productName}) — ${price}${offer.needsStartDate ? ', start date needed' : ''}`;
    return item;
  });
  document.getElementById('offers').replaceChildren(...items);
  document.getElementById('catalog').hidden = false;
});
document.addEventListener('customer-cleared', () => (document.getElementById('catalog').hidden = true));

const scenarios = await (await fetch('/demo/scenarios.json')).json();
for (const scenario of scenarios) select.add(new Option(scenario.label, scenario.id));

function show(id) {
  const scenario = scenarios.find((s) => s.id === id) ?? scenarios[0];
  select.value = scenario.id;
  session.setAttribute('endpoint', scenario.endpoint);
  session.setAttribute('cart-id', scenario.cartId);
  session.setAttribute('currency', scenario.currency);
  session.setAttribute('locale', scenario.locale);
  session.setAttribute('mode', scenario.mode);
  pay.setAttribute('method', scenario.method);
  const rows = scenario.identities.map(({ type, who, shows }) => {
    const row = document.createElement('tr');
    for (const text of [type, who, shows]) row.insertCell().textContent = text;
    return row;
  });
  document.getElementById('identities').replaceChildren(...rows);
}

select.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('scenario', select.value);
  history.replaceState(null, '', url);
  show(select.value);
});
document.getElementById('new-order').addEventListener('click', () => {
  sessionStorage.clear();
  location.reload();
});
show(new URLSearchParams(location.search).get('scenario'));
