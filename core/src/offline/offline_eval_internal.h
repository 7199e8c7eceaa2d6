// Internals of the offline evaluation (tagwise/offline_eval.h), shared by its
// three sources, its test and the native tool's tuning mode: the CSV reader,
// the cleaned dataset, the splits, the baseline models, the metrics, and the
// tagwise model evaluated for many parameter sets on hints built once.
#ifndef TAGWISE_CORE_SRC_OFFLINE_OFFLINE_EVAL_INTERNAL_H_
#define TAGWISE_CORE_SRC_OFFLINE_OFFLINE_EVAL_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "offline/cooccurrence.h"
#include "tagwise/error.h"
#include "tagwise/hints.h"
#include "tagwise/offline_eval.h"
#include "tagwise/recommend.h"

namespace tagwise::internal {

inline constexpr int64_t kP2Cutoff = 1320796800;     // 2011-11-09 00:00:00 (read as UTC)
inline constexpr int64_t kP2ValCutoff = 1318204800;  // 2011-10-10 00:00:00, 30 days earlier
inline constexpr size_t kColdMaxHistory = 3;         // cold-start user: <= 3 history items
inline constexpr size_t kMaxVisible = 3;             // P1-sim shows v = 1..3 recent items

// ---- data (offline_eval_data.cpp) ----

// RFC-4180 records from text with "\n" (or "\r\n") line ends; quoted fields
// may hold commas, doubled quotes and line breaks. Not thread-safe.
class CsvReader {
 public:
  // `file_name` only prefixes error messages.
  CsvReader(std::string_view text, std::string_view file_name);
  // Reads the next record into `fields`. False at the end of the text or on a
  // malformed record; then error() tells which (kCorrupt, path "line N").
  bool Next(std::vector<std::string>* fields);
  const std::optional<Error>& error() const { return error_; }
  // 1-based line on which the last record read starts (the header is line 1).
  size_t line() const { return line_; }

 private:
  bool Fail(std::string message);

  std::string_view text_;
  std::string_view file_name_;
  size_t pos_ = 0;
  size_t next_line_ = 1;
  size_t line_ = 0;
  std::optional<Error> error_;
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// "YYYY-MM-DD HH:MM:SS" read as UTC -> Unix seconds; nullopt when malformed.
std::optional<int64_t> ParseDateTime(std::string_view text);

// One interaction: a user's first purchase of an item (min (ts, row)).
struct Interaction {
  uint32_t user = 0;     // index into Dataset::users
  uint32_t item = 0;     // index into Dataset::items
  int64_t ts = 0;        // Unix seconds
  uint32_t row = 0;      // 0-based data row of the raw file
  uint32_t invoice = 0;  // index into Dataset::invoices
};

// The cleaned log. Ids are sorted in byte order, so index order is id order.
struct Dataset {
  size_t raw_rows = 0;
  std::vector<std::string> users;
  std::vector<std::string> items;
  std::vector<std::string> countries;
  std::vector<std::string> invoices;  // in first-seen order
  std::vector<uint32_t> user_country;  // per user: most frequent Country of the kept lines, ties -> smallest
  std::vector<Interaction> interactions;  // in global (ts, row) order
};

// The README's cleaning rules; kCorrupt (path "line N") on a malformed line.
[[nodiscard]] Result<Dataset> LoadDataset(std::string_view raw_csv);

// A test user of a split.
struct TestCase {
  uint32_t user = 0;
  uint32_t target = 0;            // item
  std::vector<uint32_t> history;  // interaction indexes, (ts, row) order
};

struct Split {
  std::string protocol;
  std::vector<uint32_t> train;  // interaction indexes, (ts, row) order
  std::vector<TestCase> cases;  // by user id
};

// Per user of `base` (interaction indexes in (ts, row) order): the last one
// is the target, the earlier ones the history; train = all histories.
Split LeaveLastOutSplit(const Dataset& data, std::span<const uint32_t> base, std::string protocol);
// Train = `base` before `cutoff`; every user with an interaction at/after it
// is tested on the first such one, with the pre-cutoff items as history.
Split CutoffSplit(const Dataset& data, std::span<const uint32_t> base, int64_t cutoff, std::string protocol);

// Cross-checks against the shipped files; the check line for the report, or
// kCorrupt naming the first differing line.
[[nodiscard]] Result<std::string> CheckInteractionsCsv(const Dataset& data, std::string_view csv);
[[nodiscard]] Result<std::string> CheckTargetsCsv(const Dataset& data, const Split& split, std::string_view csv,
                                                  std::string_view file_name);

// ---- models and metrics (offline_eval_models.cpp) ----

// 1/log2(rank + 1) for a 1-based rank in the list, 0 for a miss (rank 0).
double NdcgOfRank(size_t rank);

// HR and NDCG summed over the users of one bucket.
class BucketTally {
 public:
  explicit BucketTally(std::string bucket) : bucket_(std::move(bucket)) {}
  void Add(size_t rank);  // 1-based rank of the target in the top k, 0 = not in it
  BucketMetrics Finish() const;

 private:
  std::string bucket_;
  size_t users_ = 0;
  size_t hits_ = 0;
  double ndcg_sum_ = 0;
};

// Which part of each test user's history the models see.
enum class HistoryView {
  kFull,           // the whole history; buckets all, cold<=3, hist=0..3, warm>3
  kRecentWindows,  // P1-sim: users with >= v items see their v latest; buckets visible=1..3
};

// The 1-based rank of the case's target in a model's top k (0 = not in it),
// given the visible history (interaction indexes, chronological).
using RankTarget = std::function<size_t(const TestCase&, std::span<const uint32_t> visible)>;

ModelMetrics EvaluateModel(const Split& split, std::string model, HistoryView view, const RankTarget& rank);

// Popularity, item-kNN and country popularity, trained on one split.
// Holds scratch buffers: not thread-safe.
class Baselines {
 public:
  Baselines(const Dataset& data, const Split& split, size_t k);
  // The top k of each model (item indexes); `visible` items are never listed.
  std::vector<uint32_t> Popularity(std::span<const uint32_t> visible);
  std::vector<uint32_t> ItemKnn(std::span<const uint32_t> visible);
  std::vector<uint32_t> CountryPopularity(uint32_t user, std::span<const uint32_t> visible);

 private:
  void MarkVisible(std::span<const uint32_t> visible);
  bool Marked(uint32_t item) const { return mark_[item] == stamp_; }
  // Appends `order`'s first items that are neither visible nor listed until `top` has k.
  void FillFrom(const std::vector<uint32_t>& order, std::vector<uint32_t>* top);
  const std::vector<uint32_t>& CountryOrder(uint32_t country);

  const Dataset& data_;
  size_t k_;
  std::vector<uint32_t> pop_;        // training buyers per item
  std::vector<uint32_t> pop_order_;  // items by (pop desc, id asc)
  std::vector<std::vector<CoLink>> neighbours_;
  std::vector<std::vector<uint32_t>> country_buyers_;  // [country][item], training buyers
  std::vector<std::vector<uint32_t>> country_order_;   // built on first use
  std::vector<uint32_t> mark_;  // == stamp_: visible or already listed
  uint32_t stamp_ = 0;
  std::vector<double> score_;
  std::vector<uint32_t> scored_;
};

// The three baselines, trained on `split`, evaluated on it (P1-sim: `view` kRecentWindows).
std::vector<ModelMetrics> EvaluateBaselines(const Dataset& data, const Split& split, Baselines& models,
                                            HistoryView view);

// Hints from the split's training interactions (basket = invoice, segment
// "country"), passed through EncodeHints/DecodeHints. `options.segments` is
// replaced by the country field; the rest is used as given.
[[nodiscard]] Result<Hints> BuildSplitHints(const Dataset& data, const Split& split, HintBuildOptions options);

// The tagwise scorer on built hints, one ModelMetrics ("tagwise") per
// parameter set, so tuning reuses the hints.
std::vector<ModelMetrics> EvaluateTagwise(const Dataset& data, const Split& split, const Hints& hints,
                                          std::span<const RecommendParams> params, size_t k, HistoryView view);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_OFFLINE_OFFLINE_EVAL_INTERNAL_H_
