// Storage adapters of the browser/Node runtime (DESIGN.md sections 3 and 9).
//
// An adapter stores text values under string keys. Every method may return a
// value or a promise. `update(key, fn)` is the read-modify-write the runtime
// uses to merge what other tabs wrote: fn(oldText | null) -> newText | null
// (null deletes) must run atomically with respect to other tabs, and fn is
// synchronous. IndexedDB gives that with one readwrite transaction;
// localStorage with its synchronous API; a custom adapter without `update`
// gets get-then-set (fine for one tab, e.g. a native app's key-value store).
//
//   interface StorageAdapter {
//     readonly name: string;
//     get(key): string | null;            set(key, text): void;
//     delete(key): void;                  update?(key, fn): void;
//   }
//
// Quota errors must surface as an exception whose name is
// "QuotaExceededError" (what browsers throw); the runtime then compacts the
// profile and retries (js/persistence.js).

/** A store in this process's memory: the default in Node; share one object between instances to share state. */
export function memoryStorage() {
  const map = new Map();
  return {
    name: 'memory',
    get: (key) => (map.has(key) ? map.get(key) : null),
    set: (key, text) => { map.set(key, String(text)); },
    delete: (key) => { map.delete(key); },
    update: (key, fn) => {
      const next = fn(map.has(key) ? map.get(key) : null);
      if (next === null) map.delete(key);
      else map.set(key, next);
    },
    keys: () => [...map.keys()],
  };
}

/** window.localStorage (or any Web Storage object): synchronous, about 5 MB per origin. */
export function webStorage(storage = globalThis.localStorage) {
  if (!storage || typeof storage.getItem !== 'function') {
    throw new TypeError('tagwise: webStorage() needs a Web Storage object such as window.localStorage');
  }
  return {
    name: 'localStorage',
    get: (key) => storage.getItem(key),
    set: (key, text) => { storage.setItem(key, text); },
    delete: (key) => { storage.removeItem(key); },
    update: (key, fn) => {
      const next = fn(storage.getItem(key));
      if (next === null) storage.removeItem(key);
      else storage.setItem(key, next);
    },
    keys: () => Array.from({ length: storage.length }, (_, i) => storage.key(i)),
  };
}

function requestResult(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * IndexedDB (database `dbName`, object store `storeName`, text values): larger
 * quota than localStorage, and its transactions make cross-tab
 * read-modify-write atomic. The database opens lazily on first use.
 */
export function indexedDBStorage({ dbName = 'tagwise', storeName = 'kv', indexedDB = globalThis.indexedDB } = {}) {
  if (!indexedDB || typeof indexedDB.open !== 'function') {
    throw new TypeError('tagwise: indexedDBStorage() needs IndexedDB (not available here)');
  }
  let opening = null;
  let current = null; // the open handle, once `opening` has resolved
  // Drops a handle that can no longer be used, so the next call reopens.
  const release = (handle) => {
    if (current !== handle) return;
    current = null;
    opening = null;
  };
  // Opens the database with the object store; a database someone created
  // without it (another library, a devtools poke) is upgraded to add it.
  const openWith = (version) => new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(dbName) : indexedDB.open(dbName, version);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(storeName)) request.result.createObjectStore(storeName);
    };
    request.onsuccess = () => {
      const handle = request.result;
      if (!handle.objectStoreNames.contains(storeName)) {
        const next = handle.version + 1;
        handle.close();
        openWith(next).then(resolve, reject);
        return;
      }
      // Another tab upgrading or deleting the database: let it, reopen on next use.
      handle.onversionchange = () => { handle.close(); release(handle); };
      // Closed by the browser (the user cleared the site's data, the disk
      // failed): reopen on next use instead of failing every later write.
      handle.onclose = () => release(handle);
      current = handle;
      resolve(handle);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('tagwise: IndexedDB upgrade blocked by another tab'));
  });
  const db = () => {
    opening ??= openWith(undefined).catch((e) => { opening = null; throw e; });
    return opening;
  };
  // Starts a transaction; a connection the browser is closing (site data
  // cleared; its close event not yet delivered) is dropped and reopened once.
  const begin = async (mode) => {
    const handle = await db();
    try {
      return handle.transaction(storeName, mode);
    } catch (e) {
      if (e?.name !== 'InvalidStateError') throw e;
      release(handle);
      return (await db()).transaction(storeName, mode);
    }
  };
  // Runs body(store) in one transaction; resolves when it has committed.
  const run = async (mode, body) => {
    const tx = await begin(mode);
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error('tagwise: IndexedDB transaction aborted'));
      tx.onerror = () => reject(tx.error);
    });
    let result;
    try {
      result = body(tx.objectStore(storeName), tx);
    } catch (e) {
      try { tx.abort(); } catch { /* already finished */ }
      done.catch(() => {});
      throw e;
    }
    await done;
    return result;
  };
  return {
    name: 'indexedDB',
    get: async (key) => {
      let out = null;
      await run('readonly', (store) => {
        const r = store.get(key);
        r.onsuccess = () => { out = typeof r.result === 'string' ? r.result : null; };
      });
      return out;
    },
    set: (key, text) => run('readwrite', (store) => { store.put(String(text), key); }),
    delete: (key) => run('readwrite', (store) => { store.delete(key); }),
    update: (key, fn) => {
      let failure = null;
      return run('readwrite', (store, tx) => {
        const r = store.get(key);
        r.onsuccess = () => {
          try {
            const next = fn(typeof r.result === 'string' ? r.result : null);
            if (next === null) store.delete(key);
            else store.put(next, key);
          } catch (e) {
            failure = e;
            tx.abort();
          }
        };
      }).catch((e) => { throw failure ?? e; }).then(() => { if (failure) throw failure; });
    },
    keys: async () => {
      let out = [];
      await run('readonly', (store) => {
        const r = store.getAllKeys();
        r.onsuccess = () => { out = r.result.map(String); };
      });
      return out;
    },
    close: async () => {
      if (opening) (await opening.catch(() => null))?.close();
      opening = null;
      current = null;
    },
  };
}

/** True when a storage exception means "storage is full". */
export function isQuotaError(e) {
  return e != null && (e.name === 'QuotaExceededError' || e.code === 22 || e.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}

/**
 * The adapter for options.storage: an adapter object, "memory", "localStorage",
 * "indexedDB", "auto" (IndexedDB, else localStorage, else memory), or
 * null/false (nothing persisted: memory that is not kept).
 */
export function resolveStorage(option) {
  if (option === null || option === false) return null;
  if (typeof option === 'object') {
    for (const m of ['get', 'set', 'delete']) {
      if (typeof option[m] !== 'function') throw new TypeError(`tagwise: options.storage needs a ${m}(key) method (see StorageAdapter)`);
    }
    return option;
  }
  switch (option) {
    case 'memory': return memoryStorage();
    case 'localStorage': return webStorage();
    case 'indexedDB': return indexedDBStorage();
    case 'auto':
      if (typeof globalThis.indexedDB?.open === 'function') return indexedDBStorage();
      try {
        if (globalThis.localStorage) return webStorage();
      } catch { /* access denied (sandboxed iframe, blocked cookies) */ }
      return memoryStorage();
    default:
      throw new TypeError(`tagwise: options.storage must be "auto", "indexedDB", "localStorage", "memory", null or an adapter; got ${JSON.stringify(option)}`);
  }
}
