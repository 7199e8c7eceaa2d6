// placeholder
export function mountExperiments(el) {
  el.textContent = 'experiments';
}
