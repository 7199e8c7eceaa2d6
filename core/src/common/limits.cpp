#include "tagwise/limits.h"

#include <cstdio>
#include <string>

namespace tagwise {
namespace {

// "1.5 MB", "900 KB", "12 bytes": sizes a person can compare at a glance.
std::string HumanBytes(size_t bytes) {
  char buf[32];
  if (bytes >= (size_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
  } else if (bytes >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
  }
  return buf;
}

}  // namespace

std::optional<Error> CheckInputBytes(size_t bytes, size_t limit, std::string_view what, std::string_view path) {
  if (bytes <= limit) return std::nullopt;
  std::string message = "the ";
  message.append(what).append(" is ").append(HumanBytes(bytes)).append(" (").append(std::to_string(bytes));
  message.append(" bytes); the limit is ").append(HumanBytes(limit)).append(" (").append(std::to_string(limit));
  message.append(" bytes)");
  return Error{ErrorCode::kTooLarge, std::string(path), std::move(message)};
}

}  // namespace tagwise
