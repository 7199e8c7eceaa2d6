// The 中文 / English toggle shared by the demo pages: any element with
// [data-lang-toggle] switches the `lang` cookie (read by the server to render
// the page in that language) and reloads. Chinese is the default.
export function currentLanguage() {
  return /(?:^|;\s*)lang=en(?:;|$)/.test(document.cookie) ? 'en' : 'zh';
}

export function setLanguage(lang) {
  document.cookie = `lang=${lang === 'en' ? 'en' : 'zh'}; path=/; max-age=31536000; samesite=lax`;
  location.reload();
}

for (const el of document.querySelectorAll('[data-lang-toggle]')) {
  el.addEventListener('click', () => setLanguage(currentLanguage() === 'en' ? 'zh' : 'en'));
}
