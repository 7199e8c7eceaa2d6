// Raw CSV -> cleaned interactions -> splits, per the online-retail README.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "offline/offline_eval_internal.h"

namespace tagwise::internal {

namespace {

constexpr std::string_view kRawFile = "online_retail.csv";

Error DataError(std::string_view file, size_t line, std::string message) {
  return Error{ErrorCode::kCorrupt, "line " + std::to_string(line),
               std::string(file) + " line " + std::to_string(line) + ": " + std::move(message)};
}

// A field or line quoted in a message: at most 60 bytes, and bytes outside
// printable ASCII shown as '?', so the message stays short, valid UTF-8.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) out += text[i] >= 0x20 && text[i] < 0x7F ? text[i] : '?';
  return out + (text.size() > kMax ? "...\"" : "\"");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Sign (-1, 0, 1) of a decimal "-?digits[.digits]"; nullopt when malformed.
std::optional<int> DecimalSign(std::string_view s) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) return std::nullopt;
  bool nonzero = false;
  for (std::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (!IsDigit(c)) return std::nullopt;
      nonzero = nonzero || c != '0';
    }
  }
  if (!nonzero) return 0;
  return negative ? -1 : 1;
}

// "17850.0" -> "17850": the CustomerID float as an integer string.
std::optional<std::string> CustomerId(std::string_view s) {
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (whole.empty()) return std::nullopt;
  for (char c : whole)
    if (!IsDigit(c)) return std::nullopt;
  if (dot != std::string_view::npos) {
    for (char c : s.substr(dot + 1))
      if (c != '0') return std::nullopt;
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  return std::string(whole);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// StockCode stripped and upper-cased (ASCII: product codes are ASCII).
std::string NormaliseCode(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// ^[0-9]{5}[A-Z]{0,2}$
bool IsProductCode(std::string_view code) {
  if (code.size() < 5 || code.size() > 7) return false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (i < 5 ? !IsDigit(c) : !(c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

// Column positions of the raw file, found by name.
struct RawColumns {
  size_t count = 0;
  size_t invoice = 0, code = 0, quantity = 0, date = 0, price = 0, customer = 0, country = 0;
};

Result<RawColumns> FindRawColumns(const std::vector<std::string>& header) {
  RawColumns c;
  c.count = header.size();
  const std::pair<std::string_view, size_t*> wanted[] = {
      {"InvoiceNo", &c.invoice}, {"StockCode", &c.code},      {"Quantity", &c.quantity}, {"InvoiceDate", &c.date},
      {"UnitPrice", &c.price},   {"CustomerID", &c.customer}, {"Country", &c.country}};
  for (const auto& [name, index] : wanted) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) return DataError(kRawFile, 1, "the header has no column " + std::string(name));
    *index = static_cast<size_t>(it - header.begin());
  }
  return c;
}

// Ids numbered in first-seen order; Sorted() renumbers them in byte order.
class Interner {
 public:
  uint32_t Id(const std::string& s) {
    const auto [it, added] = ids_.try_emplace(s, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(s);
    return it->second;
  }
  // Moves the names out sorted; `remap[old id]` = the new id.
  std::vector<std::string> Sorted(std::vector<uint32_t>* remap) {
    std::vector<uint32_t> order(names_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return names_[a] < names_[b]; });
    remap->assign(names_.size(), 0);
    std::vector<std::string> out;
    out.reserve(names_.size());
    for (uint32_t id : order) {
      (*remap)[id] = static_cast<uint32_t>(out.size());
      out.push_back(std::move(names_[id]));
    }
    return out;
  }
  std::vector<std::string> TakeNames() { return std::move(names_); }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

// A purchase line that passed the cleaning rules.
struct KeptLine {
  uint32_t user, item, country, invoice;
  int64_t ts;
  uint32_t row;
};

struct LineSink {
  Interner users, items, countries, invoices;
  std::vector<KeptLine> lines;
};

// Applies the cleaning rules (in the README's order) to one raw record.
std::optional<Error> CleanLine(const std::vector<std::string>& f, const RawColumns& c, size_t line, uint32_t row,
                               LineSink* sink) {
  if (f.size() != c.count) {
    return DataError(kRawFile, line,
                     "expected " + std::to_string(c.count) + " fields, found " + std::to_string(f.size()));
  }
  if (f[c.customer].empty() || (!f[c.invoice].empty() && f[c.invoice][0] == 'C')) return std::nullopt;
  const auto quantity = DecimalSign(f[c.quantity]);
  if (!quantity) return DataError(kRawFile, line, "Quantity " + Excerpt(f[c.quantity]) + " is not a number");
  const auto price = DecimalSign(f[c.price]);
  if (!price) return DataError(kRawFile, line, "UnitPrice " + Excerpt(f[c.price]) + " is not a number");
  if (*quantity <= 0 || *price <= 0) return std::nullopt;
  const std::string code = NormaliseCode(f[c.code]);
  if (!IsProductCode(code)) return std::nullopt;
  const auto ts = ParseDateTime(f[c.date]);
  if (!ts) return DataError(kRawFile, line, "InvoiceDate " + Excerpt(f[c.date]) + " is not YYYY-MM-DD HH:MM:SS");
  const auto user = CustomerId(f[c.customer]);
  if (!user) return DataError(kRawFile, line, "CustomerID " + Excerpt(f[c.customer]) + " is not a whole number");
  sink->lines.push_back(KeptLine{sink->users.Id(*user), sink->items.Id(code), sink->countries.Id(f[c.country]),
                                 sink->invoices.Id(f[c.invoice]), *ts, row});
  return std::nullopt;
}

// Per user: the most frequent country of the kept lines, ties -> smallest id.
std::vector<uint32_t> UserCountries(const std::vector<KeptLine>& lines, size_t n_users) {
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> counts(n_users);  // (country, lines)
  for (const KeptLine& l : lines) {
    auto& c = counts[l.user];
    const auto it = std::find_if(c.begin(), c.end(), [&](const auto& p) { return p.first == l.country; });
    if (it == c.end()) c.emplace_back(l.country, 1);
    else ++it->second;
  }
  std::vector<uint32_t> out(n_users, 0);
  for (size_t u = 0; u < n_users; ++u) {
    const auto best = std::min_element(counts[u].begin(), counts[u].end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (best != counts[u].end()) out[u] = best->first;
  }
  return out;
}

// Renumbers the ids in byte order, then keeps the first purchase per (user, item).
Dataset BuildDataset(LineSink sink, size_t raw_rows) {
  Dataset d;
  d.raw_rows = raw_rows;
  std::vector<uint32_t> user_map, item_map, country_map;
  d.users = sink.users.Sorted(&user_map);
  d.items = sink.items.Sorted(&item_map);
  d.countries = sink.countries.Sorted(&country_map);
  d.invoices = sink.invoices.TakeNames();
  for (KeptLine& l : sink.lines) {
    l.user = user_map[l.user];
    l.item = item_map[l.item];
    l.country = country_map[l.country];
  }
  d.user_country = UserCountries(sink.lines, d.users.size());
  std::sort(sink.lines.begin(), sink.lines.end(),
            [](const KeptLine& a, const KeptLine& b) { return a.ts != b.ts ? a.ts < b.ts : a.row < b.row; });
  std::unordered_set<uint64_t> seen;
  seen.reserve(sink.lines.size());
  for (const KeptLine& l : sink.lines) {
    if (seen.insert((static_cast<uint64_t>(l.user) << 32) | l.item).second)
      d.interactions.push_back(Interaction{l.user, l.item, l.ts, l.row, l.invoice});
  }
  return d;
}

// The lines of a text file ("\n" or "\r\n"), for the cross-checks.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    *line = text_.substr(pos_, end - pos_);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  size_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

// Compares `text` with a header plus `rows` expected lines.
Result<std::string> CompareLines(std::string_view text, std::string_view file_name, std::string_view header,
                                 size_t rows, const std::function<std::string(size_t)>& expected_row) {
  LineCursor cursor(text);
  std::string_view got;
  for (size_t i = 0; i <= rows; ++i) {
    const std::string want = i == 0 ? std::string(header) : expected_row(i - 1);
    if (!cursor.Next(&got)) {
      return DataError(file_name, cursor.number() + 1,
                       "the file ends here; expected " + std::to_string(rows) + " rows after the header");
    }
    if (got != want) {
      return DataError(file_name, cursor.number(),
                       "expected " + Excerpt(want) + ", the file has " + Excerpt(got));
    }
  }
  while (cursor.Next(&got)) {
    if (!got.empty()) {
      return DataError(file_name, cursor.number(), "more rows than the " + std::to_string(rows) + " derived");
    }
  }
  return std::string(file_name) + ": " + std::to_string(rows) + " rows identical";
}

}  // namespace

CsvReader::CsvReader(std::string_view text, std::string_view file_name) : text_(text), file_name_(file_name) {}

bool CsvReader::Fail(std::string message) {
  error_ = DataError(file_name_, line_, std::move(message));
  return false;
}

bool CsvReader::Next(std::vector<std::string>* fields) {
  if (error_ || pos_ >= text_.size()) return false;
  line_ = next_line_;
  size_t n = 0;
  while (true) {
    if (n == fields->size()) fields->emplace_back();
    std::string& field = (*fields)[n++];
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        const size_t quote = text_.find('"', pos_);
        if (quote == std::string_view::npos) return Fail("a quoted field is not closed");
        const std::string_view chunk = text_.substr(pos_, quote - pos_);
        next_line_ += static_cast<size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
        field.append(chunk);
        pos_ = quote + 1;
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
        } else {
          break;
        }
      }
    } else {
      const size_t end = std::min(text_.find_first_of(",\n", pos_), text_.size());
      std::string_view chunk = text_.substr(pos_, end - pos_);
      if (end < text_.size() && text_[end] == '\n' && !chunk.empty() && chunk.back() == '\r') chunk.remove_suffix(1);
      if (chunk.find('"') != std::string_view::npos) return Fail("a quote inside an unquoted field");
      field.assign(chunk);
      pos_ += chunk.size();
    }
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ + 1 < text_.size() && text_[pos_] == '\r' && text_[pos_ + 1] == '\n') ++pos_;
    if (pos_ < text_.size() && text_[pos_] != '\n') return Fail("a closing quote is not followed by a comma");
    if (pos_ < text_.size()) ++pos_;
    ++next_line_;
    fields->resize(n);
    return true;
  }
}

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;                                            // [0, 399]
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                        // [0, 146096]
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> ParseDateTime(std::string_view s) {
  // Positions of the digits in "YYYY-MM-DD HH:MM:SS".
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const auto number = [&](size_t at, size_t len) -> std::optional<unsigned> {
    unsigned v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (!IsDigit(s[i])) return std::nullopt;
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return v;
  };
  const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  static constexpr unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*day > kMonthDays[*month - 1] + (*month == 2 && leap ? 1 : 0)) return std::nullopt;
  return DaysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second;
}

Result<Dataset> LoadDataset(std::string_view raw_csv) {
  CsvReader reader(raw_csv, kRawFile);
  std::vector<std::string> fields;
  if (!reader.Next(&fields)) {
    if (reader.error()) return *reader.error();
    return DataError(kRawFile, 1, "the file is empty");
  }
  auto columns = FindRawColumns(fields);
  if (!columns.ok()) return columns.error();
  LineSink sink;
  uint32_t row = 0;
  for (; reader.Next(&fields); ++row) {
    if (auto error = CleanLine(fields, columns.value(), reader.line(), row, &sink)) return *error;
  }
  if (reader.error()) return *reader.error();
  return BuildDataset(std::move(sink), row);
}

Split LeaveLastOutSplit(const Dataset& data, std::span<const uint32_t> base, std::string protocol) {
  std::vector<std::vector<uint32_t>> by_user(data.users.size());
  for (uint32_t i : base) by_user[data.interactions[i].user].push_back(i);
  Split split;
  split.protocol = std::move(protocol);
  std::vector<bool> is_target(data.interactions.size(), false);
  for (uint32_t u = 0; u < by_user.size(); ++u) {
    auto& mine = by_user[u];
    if (mine.empty()) continue;
    const uint32_t last = mine.back();
    is_target[last] = true;
    mine.pop_back();
    split.cases.push_back(TestCase{u, data.interactions[last].item, std::move(mine)});
  }
  for (uint32_t i : base)
    if (!is_target[i]) split.train.push_back(i);
  return split;
}

Split CutoffSplit(const Dataset& data, std::span<const uint32_t> base, int64_t cutoff, std::string protocol) {
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<std::vector<uint32_t>> history(data.users.size());
  std::vector<uint32_t> first_after(data.users.size(), kNone);
  Split split;
  split.protocol = std::move(protocol);
  for (uint32_t i : base) {
    const Interaction& x = data.interactions[i];
    if (x.ts < cutoff) {
      split.train.push_back(i);
      history[x.user].push_back(i);
    } else if (first_after[x.user] == kNone) {
      first_after[x.user] = i;
    }
  }
  for (uint32_t u = 0; u < history.size(); ++u) {
    if (first_after[u] == kNone) continue;
    split.cases.push_back(TestCase{u, data.interactions[first_after[u]].item, std::move(history[u])});
  }
  return split;
}

Result<std::string> CheckInteractionsCsv(const Dataset& data, std::string_view csv) {
  return CompareLines(csv, "interactions.csv", "user_id,item_id,ts,row", data.interactions.size(), [&](size_t i) {
    const Interaction& x = data.interactions[i];
    return data.users[x.user] + "," + data.items[x.item] + "," + std::to_string(x.ts) + "," + std::to_string(x.row);
  });
}

Result<std::string> CheckTargetsCsv(const Dataset& data, const Split& split, std::string_view csv,
                                    std::string_view file_name) {
  return CompareLines(csv, file_name, "user_id,target_item_id,history_len", split.cases.size(), [&](size_t i) {
    const TestCase& c = split.cases[i];
    return data.users[c.user] + "," + data.items[c.target] + "," + std::to_string(c.history.size());
  });
}

}  // namespace tagwise::internal
