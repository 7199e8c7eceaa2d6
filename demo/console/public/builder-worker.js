// The preview's tagging off the main thread: tagging 240 customers takes a
// few hundred ms, which would freeze typing in the builder. Module workers do
// not see the page's import map, so the page sends the URL it resolved
// 'tagwise' to.
import { ALL_PURPOSES, tagSample } from './builder-coverage.js';

let ready = null;

self.addEventListener('message', async ({ data }) => {
  if (data.type === 'init') {
    ready = import(data.tagwiseUrl).then(async ({ createTagwise }) => ({
      tw: await createTagwise({ features: ['experiments', 'offers', 'recommend', 'conditions', 'lint', 'text', 'batch'], storage: 'memory', sync: false, purposes: ALL_PURPOSES }),
      profiles: data.profiles,
      asOf: data.asOf,
    }));
    return;
  }
  try {
    const { tw, profiles, asOf } = await ready;
    self.postMessage({ seq: data.seq, ...tagSample(tw, profiles, data.catalog, data.tagId, asOf) });
  } catch (error) {
    self.postMessage({ seq: data.seq, failure: `${error.code ?? ''} ${error.message}` });
  }
});
