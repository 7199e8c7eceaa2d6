// RunOfflineEval: data -> cross-checks -> splits -> models -> report; and the
// report's JSON and text forms.
#include "tagwise/offline_eval.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <utility>

#include "offline/offline_eval_internal.h"

namespace tagwise {

namespace {

using internal::Dataset;
using internal::HistoryView;
using internal::Split;

template <typename T>
const T* FindNamed(const std::vector<T>& list, std::string_view name, std::string T::*field) {
  const auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.*field == name; });
  return it == list.end() ? nullptr : &*it;
}

ProtocolReport NewProtocol(std::string name, const Split& split) {
  ProtocolReport p;
  p.protocol = std::move(name);
  p.test_users = split.cases.size();
  p.train_interactions = split.train.size();
  return p;
}

// The split's protocol, plus its P1-sim variant when `sim_name` is not empty.
Result<std::vector<ProtocolReport>> EvaluateSplit(const Dataset& data, const Split& split, std::string sim_name,
                                                  const OfflineEvalOptions& options) {
  std::vector<ProtocolReport> out;
  out.push_back(NewProtocol(split.protocol, split));
  if (!sim_name.empty()) out.push_back(NewProtocol(std::move(sim_name), split));
  const auto view_of = [](size_t p) { return p == 0 ? HistoryView::kFull : HistoryView::kRecentWindows; };
  if (options.baselines) {
    internal::Baselines models(data, split, options.k);
    for (size_t p = 0; p < out.size(); ++p)
      out[p].models = internal::EvaluateBaselines(data, split, models, view_of(p));
  }
  if (options.tagwise) {
    auto hints = internal::BuildSplitHints(data, split, options.hint_options);
    if (!hints.ok()) {
      Error e = hints.error();
      e.message = split.protocol + " tagwise hints: " + e.message;
      return e;
    }
    for (size_t p = 0; p < out.size(); ++p) {
      auto metrics = internal::EvaluateTagwise(data, split, hints.value(), std::span(&options.params, 1), options.k,
                                               view_of(p));
      out[p].models.push_back(std::move(metrics.front()));
    }
  }
  return out;
}

std::string Cell(const BucketMetrics& b) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f / %.6f [%zu]", b.hr, b.ndcg, b.hits);
  return buf;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string TrimRight(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// "tagwise / item-knn NDCG: all 1.234, cold<=3 0.987" when both models ran.
std::string RatioLine(const ProtocolReport& p) {
  const ModelMetrics* tw = p.Find("tagwise");
  const ModelMetrics* knn = p.Find("item-knn");
  if (tw == nullptr || knn == nullptr) return "";
  std::string ratios;
  for (const char* bucket : {"all", "cold<=3"}) {
    const BucketMetrics* a = tw->Find(bucket);
    const BucketMetrics* b = knn->Find(bucket);
    if (a == nullptr || b == nullptr || b->ndcg == 0) continue;
    char buf[48];
    std::snprintf(buf, sizeof buf, " %s %.3f", bucket, a->ndcg / b->ndcg);
    ratios += buf;
  }
  return ratios.empty() ? "" : "tagwise / item-knn NDCG:" + ratios + "\n";
}

std::string FormatProtocol(const ProtocolReport& p) {
  constexpr size_t kBucketWidth = 11, kUsersWidth = 7, kCellWidth = 33;
  std::string out = p.protocol + ": " + std::to_string(p.test_users) + " test users, " +
                    std::to_string(p.train_interactions) + " training interactions\n";
  std::string header = Pad("bucket", kBucketWidth) + Pad("n", kUsersWidth);
  for (const ModelMetrics& m : p.models) header += Pad(m.model, kCellWidth);
  out += TrimRight(header) + "\n";
  if (p.models.empty()) return out;
  for (const BucketMetrics& row : p.models.front().buckets) {
    std::string line = Pad(row.bucket, kBucketWidth) + Pad(std::to_string(row.users), kUsersWidth);
    for (const ModelMetrics& m : p.models) {
      const BucketMetrics* b = m.Find(row.bucket);
      line += Pad(b == nullptr ? "-" : Cell(*b), kCellWidth);
    }
    out += TrimRight(line) + "\n";
  }
  return out + RatioLine(p);
}

}  // namespace

const BucketMetrics* ModelMetrics::Find(std::string_view bucket) const {
  return FindNamed(buckets, bucket, &BucketMetrics::bucket);
}

const ModelMetrics* ProtocolReport::Find(std::string_view model) const {
  return FindNamed(models, model, &ModelMetrics::model);
}

const ProtocolReport* OfflineEvalReport::Find(std::string_view protocol) const {
  return FindNamed(protocols, protocol, &ProtocolReport::protocol);
}

Result<OfflineEvalReport> RunOfflineEval(const OfflineEvalInputs& inputs, const OfflineEvalOptions& options) {
  auto loaded = internal::LoadDataset(inputs.raw_csv);
  if (!loaded.ok()) return loaded.error();
  const Dataset& data = loaded.value();
  OfflineEvalReport report;
  report.raw_rows = data.raw_rows;
  report.interactions = data.interactions.size();
  report.users = data.users.size();
  report.items = data.items.size();

  if (!inputs.interactions_csv.empty()) {
    auto check = internal::CheckInteractionsCsv(data, inputs.interactions_csv);
    if (!check.ok()) return check.error();
    report.checks.push_back(std::move(check.value()));
  }
  std::vector<uint32_t> all(data.interactions.size());
  std::iota(all.begin(), all.end(), 0u);
  Split p1 = internal::LeaveLastOutSplit(data, all, "P1");
  Split p2 = internal::CutoffSplit(data, all, internal::kP2Cutoff, "P2");
  const std::pair<const Split*, std::string_view> target_files[] = {
      {&p1, inputs.p1_targets_csv}, {&p2, inputs.p2_targets_csv}};
  for (const auto& [split, csv] : target_files) {
    if (csv.empty()) continue;
    const char* name = split == &p1 ? "test_p1_leave_last_out.csv" : "test_p2_temporal.csv";
    auto check = internal::CheckTargetsCsv(data, *split, csv, name);
    if (!check.ok()) return check.error();
    report.checks.push_back(std::move(check.value()));
  }

  // Validation splits are carved from the test splits' training data only.
  if (options.validation) {
    p1 = internal::LeaveLastOutSplit(data, p1.train, "P1-val");
    p2 = internal::CutoffSplit(data, p2.train, internal::kP2ValCutoff, "P2-val");
  }
  const std::string sim_name = !options.p1_sim ? "" : options.validation ? "P1-sim-val" : "P1-sim";
  for (const auto& [split, sim] : {std::pair<const Split*, std::string>{&p1, sim_name}, {&p2, ""}}) {
    auto reports = EvaluateSplit(data, *split, sim, options);
    if (!reports.ok()) return reports.error();
    for (ProtocolReport& p : reports.value()) report.protocols.push_back(std::move(p));
  }
  return report;
}

nlohmann::json OfflineEvalReportToJson(const OfflineEvalReport& report) {
  using nlohmann::json;
  json protocols = json::array();
  for (const ProtocolReport& p : report.protocols) {
    json models = json::array();
    for (const ModelMetrics& m : p.models) {
      json buckets = json::array();
      for (const BucketMetrics& b : m.buckets) {
        buckets.push_back({{"bucket", b.bucket}, {"users", b.users}, {"hits", b.hits}, {"hr", b.hr}, {"ndcg", b.ndcg}});
      }
      models.push_back({{"model", m.model}, {"buckets", std::move(buckets)}});
    }
    protocols.push_back({{"protocol", p.protocol},
                         {"test_users", p.test_users},
                         {"train_interactions", p.train_interactions},
                         {"models", std::move(models)}});
  }
  return {{"dataset",
           {{"raw_rows", report.raw_rows},
            {"interactions", report.interactions},
            {"users", report.users},
            {"items", report.items}}},
          {"checks", report.checks},
          {"protocols", std::move(protocols)}};
}

std::string FormatOfflineEvalTable(const OfflineEvalReport& report) {
  std::string out = "dataset: " + std::to_string(report.raw_rows) + " raw rows, " +
                    std::to_string(report.interactions) + " interactions, " + std::to_string(report.users) +
                    " users, " + std::to_string(report.items) + " items\n";
  for (const std::string& check : report.checks) out += "check: " + check + "\n";
  for (const ProtocolReport& p : report.protocols) {
    out += '\n';
    out += FormatProtocol(p);
  }
  return out;
}

}  // namespace tagwise
