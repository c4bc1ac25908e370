// The merchant page's own script. It asks the shop's server (`/shop/…`) for each order's
// checkout — the server creates it with the proxy's secret key and hands back only the
// checkout's client secret —, takes the amount due with the shop's (test) PSP when
// <checkout-pay> asks for it, listens to the checkout's public events, and shows the signed
// webhooks the shop's server received. Scenarios switch by changing the session's attributes
// live (no remount).
const session = document.getElementById('checkout');
const pay = document.querySelector('checkout-pay');
const select = document.getElementById('scenario');
const shopperSelect = document.getElementById('shopper');
const log = document.getElementById('event-log');
const psp = document.getElementById('test-psp');

for (const name of ['customer-found', 'customer-cleared', 'loyalty-change', 'eligibility-change', 'payment-requested', 'payment-succeeded', 'payment-failed', 'checkout-error']) {
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
    item.textContent = `${offer.name} (${offer.productName}) — ${money(offer.price)}${offer.needsStartDate ? ', start date needed' : ''}`;
    return item;
  });
  document.getElementById('offers').replaceChildren(...items);
  document.getElementById('catalog').hidden = false;
});
document.addEventListener('customer-cleared', () => (document.getElementById('catalog').hidden = true));

const money = ({ amount, currency }) => {
  const format = new Intl.NumberFormat(session.getAttribute('locale') || document.documentElement.lang, { style: 'currency', currency });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
};

const scenarios = await (await fetch('/demo/scenarios.json')).json();
for (const scenario of scenarios) select.add(new Option(scenario.label, scenario.id));
let current;

/** This tab's order for a scenario (its number is the checkout's reference: a reload finds the same checkout). */
const orderKey = (id) => `demo-order:${id}`;
const shopperKey = (id) => `demo-shopper:${id}`;

/** Asks the shop's server for the order's checkout and gives its client secret to the session. */
async function openOrder(scenario) {
  const response = await fetch('/shop/checkouts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: scenario.id, order: sessionStorage.getItem(orderKey(scenario.id)) ?? undefined, shopper: sessionStorage.getItem(shopperKey(scenario.id)) ?? '' }),
  });
  const order = await response.json();
  if (!response.ok) throw new Error(order.detail ?? 'The shop could not open the checkout.');
  sessionStorage.setItem(orderKey(scenario.id), order.order);
  if (current !== scenario) return;
  session.setAttribute('endpoint', order.endpoint);
  session.setAttribute('currency', scenario.currency);
  session.setAttribute('locale', scenario.locale);
  session.setAttribute('mode', scenario.mode);
  if (order.tillCredential) session.setAttribute('till-credential', order.tillCredential);
  else session.removeAttribute('till-credential');
  session.setAttribute('client-secret', order.clientSecret);
}

function show(id) {
  const scenario = scenarios.find((s) => s.id === id) ?? scenarios[0];
  current = scenario;
  select.value = scenario.id;
  pay.setAttribute('method', scenario.method);
  shopperSelect.replaceChildren(new Option('Nobody (a guest)', ''), ...scenario.shoppers.map((s) => new Option(s.label, s.query)));
  shopperSelect.value = sessionStorage.getItem(shopperKey(scenario.id)) ?? '';
  shopperSelect.disabled = scenario.mode === 'pos' || !scenario.shoppers.length;
  const rows = scenario.identities.map(({ type, who, shows }) => {
    const row = document.createElement('tr');
    for (const text of [type, who, shows]) row.insertCell().textContent = text;
    return row;
  });
  document.getElementById('identities').replaceChildren(...rows);
  void openOrder(scenario);
}

select.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('scenario', select.value);
  history.replaceState(null, '', url);
  show(select.value);
});
// Signing in (or out) starts a new order: the shop vouches for its shopper when it creates the checkout.
shopperSelect.addEventListener('change', () => {
  sessionStorage.setItem(shopperKey(current.id), shopperSelect.value);
  sessionStorage.removeItem(orderKey(current.id));
  void openOrder(current);
});
document.getElementById('new-order').addEventListener('click', () => {
  sessionStorage.removeItem(orderKey(current.id));
  void openOrder(current);
});

// The shop's PSP takes the amount <checkout-pay> asks for; the shop's server then confirms it.
let request;
pay.addEventListener('payment-requested', ({ detail }) => {
  request = detail;
  document.getElementById('psp-amount').textContent = `Amount: ${money(detail.amount)}`;
  document.getElementById('psp-error').textContent = '';
  psp.showModal();
});
document.getElementById('psp-cancel').addEventListener('click', () => psp.close());
document.getElementById('psp-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/shop/psp/pay', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: current.id, ...request, card: document.getElementById('psp-card').value }),
  });
  const reply = await response.json();
  if (!response.ok) {
    document.getElementById('psp-error').textContent = reply.message ?? reply.detail ?? 'The payment did not go through.';
    return;
  }
  psp.close();
  // Confirmed: read the checkout now rather than at its next check.
  await session.refresh();
});

// The signed webhooks the shop's server received (it verified each one).
const hooks = document.getElementById('webhook-log');
setInterval(async () => {
  const { received } = await (await fetch('/shop/webhooks')).json();
  hooks.replaceChildren(
    ...received.map((hook) => {
      const item = document.createElement('li');
      item.dataset.webhook = hook.type;
      item.textContent = `${new Date(hook.at).toLocaleTimeString()} ${hook.type} ${hook.checkout} (${hook.status})`;
      return item;
    }),
  );
}, 1500);

show(new URLSearchParams(location.search).get('scenario'));
