// Offline evaluation of the recommendation scorer on the UCI Online Retail
// log (../shared/data/online-retail/README.md), implementing that README's
// protocols exactly: the cleaning rules (raw CSV -> interactions), the P1
// (per-user leave-last-out), P1-sim (v = 1, 2, 3 most recent items visible)
// and P2 (global cutoff 2011-11-09) splits, HR@10 / NDCG@10 per bucket
// (all, cold<=3, hist=0..3, warm>3), and the baselines "popularity" and
// "item-kNN cosine top-50 + popularity back-fill", which reproduce the
// README's hit counts exactly. The tagwise scorer is evaluated in the same
// run: hints built from the training interactions with HintBuilder (baskets
// = invoices, segment "country" = the user's most frequent Country), encoded
// and decoded through the binary form, then Recommend() per test user.
//
// Validation (for tuning, never touching test targets): the same protocols
// carved from each protocol's training data -- P1-val holds out every user's
// last *training* interaction; P2-val uses the cutoff 2011-10-10 (30 days
// earlier) on the interactions before 2011-11-09.
//
// Plain computation over text the caller read: no I/O.
#ifndef TAGWISE_OFFLINE_EVAL_H_
#define TAGWISE_OFFLINE_EVAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/hints.h"
#include "tagwise/recommend.h"

namespace tagwise {

struct OfflineEvalInputs {
  std::string_view raw_csv;           // online_retail.csv (required)
  // Optional cross-checks: when given, the derived data must equal them
  // (else kCorrupt naming the first differing row).
  std::string_view interactions_csv;  // interactions.csv
  std::string_view p1_targets_csv;    // test_p1_leave_last_out.csv
  std::string_view p2_targets_csv;    // test_p2_temporal.csv
};

struct OfflineEvalOptions {
  bool validation = false;   // evaluate the validation splits instead of the test splits
  bool p1_sim = true;        // also P1-sim (v = 1, 2, 3)
  bool baselines = true;     // popularity, item-kNN, country popularity
  bool tagwise = true;       // the tagwise scorer
  RecommendParams params;
  HintBuildOptions hint_options;  // segments/basket settings are set by the evaluation
  size_t k = 10;
};

struct BucketMetrics {
  std::string bucket;  // "all", "cold<=3", "hist=0".."hist=3", "warm>3", or "visible=1".."visible=3"
  size_t users = 0;
  size_t hits = 0;
  double hr = 0;
  double ndcg = 0;
};

struct ModelMetrics {
  std::string model;  // "popularity", "item-knn", "country-popularity", "tagwise"
  std::vector<BucketMetrics> buckets;
  const BucketMetrics* Find(std::string_view bucket) const;
};

struct ProtocolReport {
  std::string protocol;  // "P1", "P1-sim", "P2", or "P1-val", "P1-sim-val", "P2-val"
  size_t test_users = 0;
  size_t train_interactions = 0;
  std::vector<ModelMetrics> models;
  const ModelMetrics* Find(std::string_view model) const;
};

struct OfflineEvalReport {
  std::vector<ProtocolReport> protocols;
  std::vector<std::string> checks;  // e.g. "interactions.csv: 266221 rows identical"
  size_t raw_rows = 0;
  size_t interactions = 0;
  size_t users = 0;
  size_t items = 0;
  const ProtocolReport* Find(std::string_view protocol) const;
};

[[nodiscard]] Result<OfflineEvalReport> RunOfflineEval(const OfflineEvalInputs& inputs,
                                                       const OfflineEvalOptions& options = {});

// {"dataset": {...}, "checks": [...], "protocols": [{"protocol", "test_users",
//  "train_interactions", "models": [{"model", "buckets": [{"bucket","users","hits","hr","ndcg"}]}]}]}
nlohmann::json OfflineEvalReportToJson(const OfflineEvalReport& report);

// A plain-text table per protocol: rows = buckets, columns = models, cells
// "HR / NDCG [hits]", plus the tagwise/item-kNN NDCG ratio for "all" and "cold<=3".
std::string FormatOfflineEvalTable(const OfflineEvalReport& report);

}  // namespace tagwise

#endif  // TAGWISE_OFFLINE_EVAL_H_
