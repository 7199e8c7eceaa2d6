// What the console keeps in this browser across reloads (IndexedDB database
// "tagwise-console", one key-value store): the working catalog and the rule
// builder's draft. Without IndexedDB (a private window that refuses it) the
// console still works; nothing is kept and the status line says so.

const DB = 'tagwise-console';
const STORE = 'kv';

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** { get(key), set(key, value), delete(key), kept } — `kept` is false when nothing can be kept. */
export async function openStore() {
  let db = null;
  try {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    db = await request(open);
  } catch {
    db = null;
  }
  const tx = (mode) => db.transaction(STORE, mode).objectStore(STORE);
  return {
    kept: db !== null,
    async get(key) {
      return db === null ? undefined : request(tx('readonly').get(key));
    },
    async set(key, value) {
      if (db !== null) await request(tx('readwrite').put(value, key));
    },
    async delete(key) {
      if (db !== null) await request(tx('readwrite').delete(key));
    },
  };
}
