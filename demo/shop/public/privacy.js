// Consent: the first-visit banner (every page) and the privacy page (purpose
// switches saved with "保存选择", data export, "forget me" after a
// confirmation). Changes go through tw.consent.set / tw.forget; app.js hears
// consent changes and re-renders the panels and syncs the server's copy.

const ALL = { security: true, personalization: true, marketing: true, analytics: true };
// "Necessary only": security stays on (fraud checks are a legitimate
// interest, as DESIGN.md section 6 allows); the privacy page can switch it off.
const NECESSARY = { personalization: false, marketing: false, analytics: false };
const FORGOTTEN = 'shop.forgotten';

export function setupConsentBanner(shop) {
  const banner = document.getElementById('consent-banner');
  if (banner === null) return;
  banner.hidden = shop.tw.consent.decided || shop.config.page === 'privacy';
  banner.addEventListener('click', async (event) => {
    const choice = event.target.closest('[data-consent]')?.dataset.consent;
    if (choice !== 'all' && choice !== 'necessary') return;
    try {
      await shop.tw.consent.set(choice === 'all' ? ALL : NECESSARY);
      banner.hidden = true;
      document.getElementById('main')?.focus();
    } catch (e) {
      shop.showError(e);
    }
  });
}

function fillForm(form, consent) {
  for (const box of form.querySelectorAll('input[name="purpose"]')) box.checked = consent[box.value];
}

export function setupPrivacyPage(shop) {
  const { tw, t } = shop;
  const form = document.getElementById('consent-form');
  if (form === null) return;
  fillForm(form, tw.consent.get());
  tw.consent.onChange((consent) => fillForm(form, consent));
  const status = document.getElementById('consent-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const choice = {};
    for (const box of form.querySelectorAll('input[name="purpose"]')) {
      if (box.value !== 'necessary') choice[box.value] = box.checked;
    }
    try {
      await tw.consent.set(choice);
      await shop.sync.now();
      status.textContent = t.saved;
    } catch (e) {
      shop.showError(e);
    }
  });

  const view = document.getElementById('export-view');
  document.getElementById('export-show').addEventListener('click', async () => {
    try {
      view.textContent = JSON.stringify(await tw.exportData(), null, 2);
      view.hidden = false;
    } catch (e) {
      shop.showError(e);
    }
  });
  document.getElementById('export-download').addEventListener('click', async () => {
    try {
      const blob = new Blob([JSON.stringify(await tw.exportData(), null, 2)], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'tagwise-my-data.json';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      shop.showError(e);
    }
  });

  const forgetStatus = document.getElementById('forget-status');
  if (sessionStorage.getItem(FORGOTTEN) !== null) {
    forgetStatus.textContent = t.forgotten;
    sessionStorage.removeItem(FORGOTTEN);
  }
  // Erasing cannot be undone: the button only asks; "确定删除" erases.
  const confirm = document.getElementById('forget-confirm');
  document.getElementById('forget').addEventListener('click', () => {
    confirm.hidden = false;
    document.getElementById('forget-no').focus();
  });
  document.getElementById('forget-no').addEventListener('click', () => {
    confirm.hidden = true;
    document.getElementById('forget').focus();
  });
  document.getElementById('forget-yes').addEventListener('click', async () => {
    try {
      await tw.forget();
      // The server's copy goes too, and the visitor gets a new id (cookie).
      const res = await fetch('/api/visitor', { method: 'DELETE' });
      if (!res.ok) throw new Error(`server copy not deleted (${res.status})`);
      localStorage.removeItem('shop.cart');
      sessionStorage.clear();
      sessionStorage.setItem(FORGOTTEN, '1');
      location.reload();
    } catch (e) {
      shop.showError(e);
    }
  });
}
