// Compiled catalogs kept by their exact text, so that every session of one
// process that loads the same catalog shares one immutable compiled catalog
// instead of parsing and compiling it again: an SSR server's per-request
// sessions, a page's second instance, a console that reloads the catalog it
// already had. A catalog is immutable once loaded (sessions hold it by
// shared_ptr<const Catalog>), so sharing it changes no result.
//
//   tagwise::CatalogCache cache;                     // outlives the sessions
//   tagwise::SessionOptions options;
//   options.catalog_cache = &cache;
//   tagwise::VisitorSession a(options), b(options);
//   a.LoadCatalog(text, now);                        // parsed and compiled
//   b.LoadCatalog(text, now);                        // the same Catalog, no work
//
// Keyed by the bytes, not the meaning: the same catalog formatted
// differently is compiled again (the fingerprint still matches). It keeps
// one catalog, the last one that loaded without errors: a shop runs one
// catalog at a time, and every slot more would pin another compiled catalog
// (~250 KB of wasm heap for 50 tags) for the life of the module. A plain
// struct that VisitorSession::LoadCatalog reads and fills: the page runtime
// pays for no more code than that. Not thread-safe: one per module instance
// (wasm/session_binding.h), used from one thread.
#ifndef TAGWISE_CATALOG_CACHE_H_
#define TAGWISE_CATALOG_CACHE_H_

#include <memory>
#include <string>
#include <vector>

#include "tagwise/catalog.h"
#include "tagwise/error.h"

namespace tagwise {

struct CatalogCache {
  std::string text;                        // what `catalog` was loaded from
  std::shared_ptr<const Catalog> catalog;  // null: nothing kept
  std::string fingerprint;                 // CatalogFingerprint of it
  std::vector<Error> warnings;             // what loading it warned about
};

}  // namespace tagwise

#endif  // TAGWISE_CATALOG_CACHE_H_
