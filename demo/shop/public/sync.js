// Keeps the server's copy of this visitor (profile, consent, cart, offer records) up to
// date, so the next page the server renders shows the same tags as the
// browser (the SSR hand-off). Debounced after changes; at once after a
// consent change; flushed with sendBeacon when the page goes away.

const URL_ = '/api/visitor';
const DELAY = 300;

export function createSync({ tw, cart, report, showError }) {
  const status = { pending: false, sent: 0, errors: [] };
  report.sync = status;
  let timer = null;
  let chain = Promise.resolve();
  let queued = 0;

  // The offer records (shown / clicked / redeemed) go along for the
  // operator's offer report (GET /api/offer-stats); [] until the offers
  // module is loaded, and the ledger only holds records while marketing is on.
  const offers = () => {
    try {
      return tw.offers.history();
    } catch {
      return [];
    }
  };
  const body = () => JSON.stringify({
    purposes: tw.purposes, decided: tw.consent.decided, profile: tw.getProfile(), cart: cart.ids(), offers: offers(),
  });

  async function post(text) {
    try {
      const res = await fetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      if (!res.ok) {
        const detail = await res.json().catch(() => ({}));
        throw new Error(`sync refused (${res.status}): ${detail.error ?? ''} ${JSON.stringify(detail.errors ?? [])}`);
      }
      status.sent += 1;
    } catch (e) {
      status.errors.push(String(e.message ?? e));
      showError(e);
    }
  }

  /** Sends now (after any send in flight); resolves when the server has it. */
  function now() {
    clearTimeout(timer);
    timer = null;
    status.pending = true;
    queued += 1;
    const text = body();
    chain = chain.then(() => post(text)).finally(() => {
      queued -= 1;
      status.pending = queued > 0 || timer !== null;
    });
    return chain;
  }

  function schedule() {
    clearTimeout(timer);
    status.pending = true;
    timer = setTimeout(now, DELAY);
  }

  addEventListener('pagehide', () => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    navigator.sendBeacon(URL_, new Blob([body()], { type: 'application/json' }));
  });

  return { now, schedule, status };
}
