// The merchant page's own script: listens to the checkout's public events. It is an external
// file so the page runs under a strict Content-Security-Policy (no inline script).
const log = document.getElementById('event-log');
for (const name of ['customer-found', 'customer-cleared', 'loyalty-change', 'eligibility-change', 'payment-succeeded', 'payment-failed', 'checkout-error']) {
  document.addEventListener(name, (event) => {
    const item = document.createElement('li');
    item.dataset.event = name;
    item.textContent = `${new Date().toLocaleTimeString()} ${name} ${JSON.stringify(event.detail)}`;
    log.prepend(item);
  });
}
document.getElementById('new-order').addEventListener('click', () => {
  sessionStorage.clear();
  location.reload();
});
