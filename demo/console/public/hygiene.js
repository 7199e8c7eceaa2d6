// placeholder
export function mountHygiene(el) {
  el.textContent = 'hygiene';
}
