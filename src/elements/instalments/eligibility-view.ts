import { html, nothing } from 'lit';
import { emit } from '../../events.js';
import type { Localizer } from '../../i18n/localize.js';
import type { InstalmentEligibility, InstalmentOffer, Problem } from '../../protocol/index.js';
import type { CheckoutContextValue, CheckoutState } from '../../session/context.js';
import type { InstalmentsHook } from '../shared/instalments-hook.js';
import { describeProblem } from '../shared/problem-message.js';
import { eligibilityStyles } from './eligibility.styles.js';
import { dueDate, offerCost, offerName, paymentWaiting } from './instalment-text.js';

/** Quiet time after the amount due changes (the shopper is still moving the points slider). */
const DEBOUNCE_MS = 300;

/** What the view reads of `<eligibility-check>` (protected members, reached from here on purpose). */
type Element = HTMLElement & { context?: CheckoutContextValue; l10n: Localizer; checkoutState: CheckoutState; requestUpdate(): void };

/** Per element: the check in flight and what it was for. */
interface Check {
  checking: boolean;
  problem?: Problem;
  /** What the last check was for: checkout, amount due, customer, payment state. */
  key?: string;
  timer?: ReturnType<typeof setTimeout>;
  abort?: AbortController;
}
const checks = new WeakMap<HTMLElement, Check>();
const stateOf = (element: HTMLElement): Check => {
  let check = checks.get(element);
  if (!check) checks.set(element, (check = { checking: false }));
  return check;
};

/**
 * `<eligibility-check>`'s content (see the element for what it shows). It checks again
 * whenever the amount due changes (points applied), after a short pause, cancelling a check
 * that became outdated.
 */
export const eligibilityView: InstalmentsHook['eligibility'] = {
  async check(element) {
    const el = element as Element;
    const check = stateOf(el);
    clearTimeout(check.timer);
    check.abort?.abort();
    const actions = el.context?.actions;
    if (!actions) return undefined;
    const abort = (check.abort = new AbortController());
    Object.assign(check, { checking: true, problem: undefined });
    el.requestUpdate();
    try {
      const eligibility = await actions.checkEligibility(abort.signal);
      if (abort.signal.aborted) return undefined;
      const { eligible, reason, offers } = eligibility;
      emit(el, 'eligibility-change', { eligible, ...(reason ? { reason } : {}), offers, ...chosen(el) });
      return eligibility;
    } catch (error) {
      // Aborted, or an answer for an order the page no longer shows: nothing to say about it.
      if (abort.signal.aborted || (error as Error).name === 'AbortError') return undefined;
      check.problem = (error as { problem?: Problem }).problem ?? { type: '/problems/internal', title: String(error), status: 0 };
      emit(el, 'eligibility-change', { eligible: false, reason: 'error' });
      return undefined;
    } finally {
      if (check.abort === abort) check.checking = false;
      el.requestUpdate();
    }
  },

  stop(element) {
    const check = stateOf(element);
    clearTimeout(check.timer);
    check.abort?.abort();
    check.key = undefined;
  },

  /** A check when what decides the offers changed, debounced; none while a payment is open or done. */
  changed(element, _previous, next) {
    const el = element as Element;
    const root = el.shadowRoot;
    if (root && !root.adoptedStyleSheets.includes(eligibilityStyles)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, eligibilityStyles];
    const check = stateOf(el);
    const { checkout } = next;
    const payment = next.instalments?.payment;
    if (next.phase !== 'ready' || !next.capabilities?.instalments || !checkout) return;
    if (checkout.status !== 'open' || paymentWaiting(payment?.status)) {
      eligibilityView.stop(el);
      check.checking = false;
      return;
    }
    // Proving the account changes nothing else visible but decides whether the identity is checked.
    const key = [checkout.id, checkout.amountDue.amount, checkout.customer?.displayName ?? '', checkout.customer?.verified ?? '', payment?.status ?? ''].join('|');
    if (key === check.key) return;
    check.key = key;
    clearTimeout(check.timer);
    check.abort?.abort();
    check.checking = true;
    check.timer = setTimeout(() => void eligibilityView.check(el), DEBOUNCE_MS);
  },

  render(element) {
    const el = element as Element;
    const state = el.checkoutState;
    const { checkout } = state;
    const { t, money } = el.l10n;
    const check = stateOf(el);
    if (!state.capabilities?.instalments || !checkout) return nothing;

    const payment = state.instalments?.payment;
    if (payment && (payment.status === 'paid' || paymentWaiting(payment.status))) {
      const paid = payment.status === 'paid';
      return html`<section class="card" aria-labelledby="title">
        <h2 id="title" class="visually-hidden">${t('eligibility.title')}</h2>
        <p class=${paid ? 'paid' : ''} role="status">
          ${paid ? t('eligibility.paid', { offer: offerName(payment.offer, el.l10n), total: money(payment.offer.total) }) : t('eligibility.open', { offer: offerName(payment.offer, el.l10n) })}
        </p>
        ${payment.url ? html`<a part="link" href=${payment.url}>${t('eligibility.continue')}</a>` : nothing}
        ${renderSchedule(el, payment.offer)}
      </section>`;
    }

    const eligibility = state.instalments?.eligibility;
    // Offers known for this customer (or for no customer, before the lookup; or for one not
    // proven yet, before the code): only the amount may have moved. Otherwise they are outdated.
    const sameCustomer = !!eligibility && (eligibility.reason === 'no-customer') === !checkout.customer && (eligibility.reason === 'unverified') === (!!checkout.customer && !checkout.customer.verified);
    const stale = !sameCustomer || eligibility.amountDue.amount !== checkout.amountDue.amount;
    if (check.problem) return renderProblem(el, check.problem);
    if (!eligibility || (stale && check.checking)) {
      return html`<p class="card muted" part="notice" role="status">${sameCustomer ? t('eligibility.updating') : t('eligibility.checking')}</p>`;
    }
    if (!eligibility.eligible) return html`<p class="card muted" part="notice" role="status">${reason(el, eligibility)}</p>`;
    return renderOffers(el, eligibility, state.instalments?.chosen, check.checking);
  },
};

function chosen(el: Element): { chosen?: string } {
  const id = el.checkoutState.instalments?.chosen;
  return id ? { chosen: id } : {};
}

function choose(el: Element, id: string | undefined): void {
  const actions = el.context?.actions;
  const eligibility = el.checkoutState.instalments?.eligibility;
  if (!actions || !eligibility) return;
  actions.chooseOffer(id);
  emit(el, 'eligibility-change', { eligible: eligibility.eligible, offers: eligibility.offers, ...chosen(el) });
}

function reason(el: Element, eligibility: InstalmentEligibility): string {
  const { t } = el.l10n;
  switch (eligibility.reason) {
    case 'refused':
      return t('eligibility.refused', { detail: eligibility.detail ?? '' });
    case 'no-customer':
      return t('eligibility.noCustomer');
    case 'unverified':
      // Where the programme has no code to give, only signing in to the shop proves it.
      return t(el.checkoutState.capabilities?.loyalty.proof === 'none' ? 'eligibility.unverifiedShop' : 'eligibility.unverified');
    case 'nothing-due':
      return t('eligibility.nothingDue');
    case 'debt':
      return t('pay.debt');
    default:
      return t('eligibility.notEligible');
  }
}

function renderProblem(el: Element, problem: Problem) {
  const { t } = el.l10n;
  const described = describeProblem(problem, el.l10n);
  // Details on file that break the provider's rules: the shop must fix them, retrying will not.
  const invalid = problem.status === 400 && problem.errors?.length;
  const unavailable = problem.type.endsWith('/upstream-unavailable');
  const message = invalid ? t('eligibility.invalidDetails', { detail: problem.errors!.map((e) => e.message).join(' ') }) : unavailable ? t('eligibility.unavailable') : described.message;
  return html`<div class="card">
    <p class="error" part="error" role="alert">${message}</p>
    ${described.retry && !invalid ? html`<button part="button" type="button" class="secondary" @click=${() => void eligibilityView.check(el)}>${t('error.retry')}</button>` : nothing}
  </div>`;
}

function renderOffers(el: Element, eligibility: InstalmentEligibility, picked: string | undefined, updating: boolean) {
  const { t, money } = el.l10n;
  const busy = updating || el.checkoutState.busy === 'pay';
  return html`<fieldset class="card" part="offers" aria-busy=${updating ? 'true' : 'false'} ?disabled=${busy}>
    <legend>${t('eligibility.title')}</legend>
    <div class="option" part="option">
      <input id="full" type="radio" name="plan" .checked=${!picked} @change=${() => choose(el, undefined)} />
      <label for="full">${t('eligibility.payInFull', { amount: money(eligibility.amountDue) })}</label>
    </div>
    ${eligibility.offers.map(
      (offer) => html`<div class="option" part="option">
        <input
          id=${`offer-${offer.id}`}
          type="radio"
          name="plan"
          value=${offer.id}
          .checked=${picked === offer.id}
          aria-describedby=${`cost-${offer.id} schedule-${offer.id}`}
          @change=${() => choose(el, offer.id)}
        />
        <label for=${`offer-${offer.id}`}>${offerName(offer, el.l10n)}</label>
        <p id=${`cost-${offer.id}`} part="cost">${offerCost(offer, el.l10n)}</p>
        ${renderSchedule(el, offer)}
      </div>`,
    )}
    ${updating ? html`<p class="muted" role="status">${t('eligibility.updating')}</p>` : nothing}
  </fieldset>`;
}

function renderSchedule(el: Element, offer: InstalmentOffer) {
  return html`<ol id=${`schedule-${offer.id}`} class="schedule" part="schedule" aria-label=${el.l10n.t('eligibility.schedule')}>
    ${offer.schedule.map((item) => html`<li><span>${dueDate(item.dueDate, el.l10n)}</span><span>${el.l10n.money(item.amount)}</span></li>`)}
  </ol>`;
}
