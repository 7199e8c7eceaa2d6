#include "tagwise/error.h"

namespace tagwise {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson: return "invalid_json";
    case ErrorCode::kInvalidUtf8: return "invalid_utf8";
    case ErrorCode::kInvalidRule: return "invalid_rule";
    case ErrorCode::kUnknownOperator: return "unknown_operator";
    case ErrorCode::kWrongArgumentCount: return "wrong_argument_count";
    case ErrorCode::kWrongArgumentType: return "wrong_argument_type";
    case ErrorCode::kBadDuration: return "bad_duration";
    case ErrorCode::kBadDate: return "bad_date";
    case ErrorCode::kUnknownTag: return "unknown_tag";
    case ErrorCode::kTooDeep: return "too_deep";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kSyntax: return "syntax";
    case ErrorCode::kThrown: return "thrown";
    case ErrorCode::kEvaluationLimit: return "evaluation_limit";
    case ErrorCode::kBudgetExceeded: return "budget_exceeded";
    case ErrorCode::kOutOfMemory: return "out_of_memory";
    case ErrorCode::kCostlyRule: return "costly_rule";
    case ErrorCode::kUnsupportedVersion: return "unsupported_version";
    case ErrorCode::kDuplicateId: return "duplicate_id";
    case ErrorCode::kCycle: return "cycle";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kCatalogMismatch: return "catalog_mismatch";
    case ErrorCode::kNotLoaded: return "not_loaded";
    case ErrorCode::kWasmFetchFailed: return "wasm_fetch_failed";
    case ErrorCode::kWasmCompileFailed: return "wasm_compile_failed";
    case ErrorCode::kCspBlocked: return "csp_blocked";
  }
  return "unknown";
}

std::string FormatIssues(const std::vector<Error>& issues) {
  std::string out;
  for (const Error& e : issues) {
    out += e.severity == Severity::kError ? "error " : "warning ";
    out += ErrorCodeName(e.code);
    out += " at ";
    out += e.path.empty() ? "/" : e.path;
    out += ": ";
    out += e.message;
    out += '\n';
  }
  return out;
}

std::string JoinPointer(std::string_view base, std::string_view token) {
  std::string out(base);
  out.reserve(base.size() + token.size() + 1);
  out += '/';
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace tagwise
