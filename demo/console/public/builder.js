// placeholder
export function mountBuilder(el) {
  el.textContent = 'builder';
}
