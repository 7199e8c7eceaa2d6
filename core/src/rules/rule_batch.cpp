// Batch evaluation into result columns: see tagwise/rule_batch.h.
#include "tagwise/rule_batch.h"

#include <cmath>
#include <new>
#include <utility>

#include "tagwise/json_text.h"
#include "tagwise/limits.h"
#include "tagwise/profile.h"

namespace tagwise {

using nlohmann::json;

void RuleBatch::Evaluate(const std::vector<std::shared_ptr<const Rule>>& rules, std::string_view records_json,
                         double now, std::string_view profile_json, double max_steps, double max_bytes) {
  rules_ = &rules;
  per_record_ = EvalBudget{CallLimit(max_steps, kDefaultCallSteps), CallLimit(max_bytes, kDefaultCallBytes)};
  try {
    EvaluateOrThrow(records_json, now, profile_json);
  } catch (const std::bad_alloc&) {
    Fail(ErrorCode::kOutOfMemory, "", "The batch is too large for the available memory.");
  } catch (const std::exception& e) {
    Fail(ErrorCode::kTooLarge, "", std::string("The batch could not be processed: ") + e.what() + ".");
  } catch (...) {
    Fail(ErrorCode::kTooLarge, "", "The batch could not be processed.");
  }
  rules_ = nullptr;
}

void RuleBatch::Fail(ErrorCode code, std::string path, std::string message) {
  kinds_.clear();
  nums_.clear();
  text_.clear();
  text_ = "[{\"code\":";
  AppendEscaped(ErrorCodeName(code), &text_);
  text_ += ",\"path\":";
  AppendEscaped(path, &text_);
  text_ += ",\"message\":";
  AppendEscaped(message, &text_);
  text_ += "}]";
  failed_ = true;
  records_ = 0;
}

void RuleBatch::EvaluateOrThrow(std::string_view records_text, double now, std::string_view profile_text) {
  if (!std::isfinite(now)) {
    Fail(ErrorCode::kWrongArgumentType, "", "`now` must be a finite number of milliseconds.");
    return;
  }
  std::unique_ptr<Profile> profile;
  if (!profile_text.empty()) {
    if (auto e = CheckInputBytes(profile_text.size(), ProfileLimits{}.max_bytes, "profile", "/profile")) {
      Fail(e->code, e->path, e->message);
      return;
    }
    Result<json> pj = ParseFast(profile_text, "profile", 0, OnBadAlloc::kReport);
    if (!pj.ok()) {
      Fail(pj.error().code, "/profile" + pj.error().path, pj.error().message);
      return;
    }
    Result<Profile> p = Profile::FromJson(std::move(pj.value()));
    if (!p.ok()) {
      Fail(p.error().code, "/profile" + p.error().path, p.error().message);
      return;
    }
    profile = std::make_unique<Profile>(std::move(p).value());
  }
  ctx_ = EvalContext{};
  // Date range is ±8.64e15 ms; clamp so the cast is defined for any input.
  ctx_.now = static_cast<int64_t>(std::trunc(std::fmax(-9e15, std::fmin(9e15, now))));
  ctx_.profile = profile.get();
  ctx_.options.max_steps = per_record_.steps;
  ctx_.budget = &budget_;
  BeginResults();

  // Stream: parse one record, evaluate every rule on it, reuse its storage.
  size_t records = 0;
  const FastParser::Status st = ForEachArrayElement(records_text, [&](const json& record) {
    EvaluateRecord(record);
    ++records;
  });
  if (st == FastParser::Status::kTooDeep) {
    Fail(ErrorCode::kTooDeep, "/" + std::to_string(records),
         "The data nests arrays or objects more than " + std::to_string(kMaxNesting) + " levels deep.");
    return;
  }
  if (st != FastParser::Status::kOk) {
    // Not valid JSON (or nothing the fast parser reads): nlohmann names the byte.
    Result<json> list = ParseJson(records_text, "data", 1, OnBadAlloc::kReport);
    if (!list.ok()) {
      Fail(list.error().code, list.error().path, list.error().message);
      return;
    }
    if (!list.value().is_array()) {
      Fail(ErrorCode::kInvalidJson, "", "The records must be a JSON array.");
      return;
    }
    BeginResults();
    records = list.value().size();
    for (const json& r : list.value()) EvaluateRecord(r);
  }
  Finish(records);
}

void RuleBatch::BeginResults() {
  kinds_.clear();
  nums_.clear();
  text_.clear();
  text_.push_back('[');
  table_size_ = 0;
  strings_.clear();
}

void RuleBatch::EvaluateRecord(const json& data) {
  budget_ = per_record_;
  for (const auto& rule : *rules_) {
    const size_t slot = kinds_.size();
    kinds_.push_back(kKindNull);
    nums_.push_back(0.0);
    Result<json> v = rule->Evaluate(data, ctx_);
    if (v.ok()) {
      Store(slot, v.value());
    } else {
      StoreError(slot, v.error());
    }
  }
}

size_t RuleBatch::SetString(size_t slot, std::string_view s) {
  // Tag rules often return one of a few strings ("gold", "高价值"):
  // send each distinct string once per batch.
  if (auto it = strings_.find(s); it != strings_.end()) {
    SetTableEntry(slot, it->second);
    return it->second;
  }
  const size_t index = table_size_;
  strings_.emplace(std::string(s), index);
  BeginTableEntry(slot, kKindTable);
  AppendEscaped(s, &text_);
  return index;
}

void RuleBatch::Begin() {
  failed_ = false;
  records_ = 0;
  BeginResults();
}

void RuleBatch::Finish(size_t records) {
  text_.push_back(']');
  // clear() walks every bucket: after a batch of many strings, start again
  // small, or each later one-record call would pay for the big one.
  if (strings_.bucket_count() > 1024) strings_ = {};
  else strings_.clear();
  failed_ = false;
  records_ = records;
}

void RuleBatch::BeginTableEntry(size_t slot, Kind kind) {
  if (table_size_ > 0) text_.push_back(',');
  kinds_[slot] = kind;
  nums_[slot] = static_cast<double>(table_size_++);
}

void RuleBatch::Store(size_t slot, const json& v) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
    case json::value_t::binary:
      kinds_[slot] = kKindNull;
      return;
    case json::value_t::boolean:
      kinds_[slot] = v.get<bool>() ? kKindTrue : kKindFalse;
      return;
    case json::value_t::number_integer:
      kinds_[slot] = kKindNumber;
      nums_[slot] = static_cast<double>(v.get<int64_t>());
      return;
    case json::value_t::number_unsigned:
      kinds_[slot] = kKindNumber;
      nums_[slot] = static_cast<double>(v.get<uint64_t>());
      return;
    case json::value_t::number_float:
      kinds_[slot] = kKindNumber;
      nums_[slot] = v.get<double>();
      return;
    case json::value_t::string:
      SetString(slot, v.get_ref<const std::string&>());
      return;
    case json::value_t::array:
    case json::value_t::object: {
      non_finite_.clear();
      const size_t start = text_.size();
      BeginTableEntry(slot, kKindTable);
      serializer_.Append(v, &text_, &non_finite_);
      if (!non_finite_.empty()) {
        // Rare: wrap as [value, [[path, "NaN"], ...]] so JS restores them.
        kinds_[slot] = kKindPatched;
        std::string entry = text_.substr(start + (table_size_ > 1 ? 1 : 0));
        text_.resize(start + (table_size_ > 1 ? 1 : 0));
        text_ += '[';
        text_ += entry;
        text_ += ",[";
        for (size_t i = 0; i < non_finite_.size(); ++i) {
          if (i > 0) text_.push_back(',');
          text_.push_back('[');
          serializer_.Append(non_finite_[i].path, &text_, nullptr);
          text_ += ",\"";
          text_ += non_finite_[i].name;
          text_ += "\"]";
        }
        text_ += "]]";
      }
      return;
    }
  }
}

void RuleBatch::StoreError(size_t slot, const Error& e) {
  BeginTableEntry(slot, kKindError);
  text_ += "{\"code\":";
  AppendEscaped(ErrorCodeName(e.code), &text_);
  text_ += ",\"path\":";
  AppendEscaped(e.path, &text_);
  if (e.code == ErrorCode::kThrown) {
    // The thrown value arrives as JSON text in `message`.
    json thrown = json::parse(e.message, nullptr, /*allow_exceptions=*/false);
    if (thrown.is_discarded()) thrown = e.message;
    std::string shown = ToJsonText(thrown);
    if (shown.size() > 200) shown = shown.substr(0, 197) + "...";
    text_ += ",\"message\":";
    AppendEscaped("The rule threw " + shown, &text_);
    text_ += ",\"value\":";
    serializer_.Append(thrown, &text_, nullptr);
  } else {
    text_ += ",\"message\":";
    AppendEscaped(e.message, &text_);
  }
  text_ += '}';
}

}  // namespace tagwise
