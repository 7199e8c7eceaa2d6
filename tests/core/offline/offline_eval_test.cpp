// The offline evaluation: the CSV reader, the cleaning rules, the splits and
// the metrics on small inputs, then the README's reference numbers on the
// real ../shared/data/online-retail files (read and evaluated once).
#include "tagwise/offline_eval.h"

#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "offline/offline_eval_internal.h"
#include "test_support.h"

namespace tagwise {
namespace {

using internal::CsvReader;
using internal::Dataset;

// One read of the whole file (the raw CSV is 48 MB); "" when it cannot be read.
std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  std::string text(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

OfflineEvalInputs Inputs(std::string_view raw, std::string_view interactions = {}, std::string_view p1_targets = {},
                         std::string_view p2_targets = {}) {
  OfflineEvalInputs in;
  in.raw_csv = raw;
  in.interactions_csv = interactions;
  in.p1_targets_csv = p1_targets;
  in.p2_targets_csv = p2_targets;
  return in;
}

constexpr std::string_view kHeader =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

// ---- metrics ----

TEST(OfflineEvalMetricsTest, NdcgOfRankIsInverseLog2) {
  EXPECT_DOUBLE_EQ(internal::NdcgOfRank(1), 1.0);
  EXPECT_DOUBLE_EQ(internal::NdcgOfRank(3), 0.5);
  EXPECT_DOUBLE_EQ(internal::NdcgOfRank(10), 1.0 / std::log2(11.0));
  EXPECT_EQ(internal::NdcgOfRank(0), 0.0);
}

TEST(OfflineEvalMetricsTest, BucketTallyAveragesOverUsers) {
  internal::BucketTally tally("all");
  for (size_t rank : {1, 3, 0, 0}) tally.Add(rank);
  const BucketMetrics m = tally.Finish();
  EXPECT_EQ(m.bucket, "all");
  EXPECT_EQ(m.users, 4u);
  EXPECT_EQ(m.hits, 2u);
  EXPECT_DOUBLE_EQ(m.hr, 0.5);
  EXPECT_DOUBLE_EQ(m.ndcg, 0.375);
}

TEST(OfflineEvalMetricsTest, EmptyBucketIsZeroNotNan) {
  const BucketMetrics m = internal::BucketTally("hist=1").Finish();
  EXPECT_EQ(m.users, 0u);
  EXPECT_EQ(m.hr, 0.0);
  EXPECT_EQ(m.ndcg, 0.0);
}

// ---- CSV reader and dates ----

std::vector<std::vector<std::string>> ReadAll(std::string_view text, std::optional<Error>* error = nullptr) {
  CsvReader reader(text, "t.csv");
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> fields;
  while (reader.Next(&fields)) out.push_back(fields);
  if (error != nullptr) *error = reader.error();
  return out;
}

TEST(OfflineEvalCsvTest, QuotedFieldsKeepCommasQuotesAndLineBreaks) {
  CsvReader reader("a,\"TRAY, BREAKFAST\",\"7\"\" SINGLE\",\"two\nlines\",\n\"\",x\n", "t.csv");
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.Next(&fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "TRAY, BREAKFAST", "7\" SINGLE", "two\nlines", ""}));
  EXPECT_EQ(reader.line(), 1u);
  ASSERT_TRUE(reader.Next(&fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"", "x"}));
  EXPECT_EQ(reader.line(), 3u);  // the quoted line break moved the line count
  EXPECT_FALSE(reader.Next(&fields));
  EXPECT_FALSE(reader.error().has_value());
}

TEST(OfflineEvalCsvTest, AcceptsCrLfAndAMissingFinalLineEnd) {
  EXPECT_EQ(ReadAll("a,b\r\n\"c\",d"), (std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}}));
}

TEST(OfflineEvalCsvTest, MalformedQuotingNamesTheLine) {
  for (std::string_view text : {"a,b\nc,\"open\n", "a,b\nc,d\"e\n", "a,b\n\"c\"d,e\n"}) {
    SCOPED_TRACE(text);
    std::optional<Error> error;
    EXPECT_EQ(ReadAll(text, &error).size(), 1u);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, ErrorCode::kCorrupt);
    EXPECT_EQ(error->path, "line 2");
  }
}

TEST(OfflineEvalCsvTest, DatesAreReadAsUtc) {
  EXPECT_EQ(internal::DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(internal::DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(internal::DaysFromCivil(2000, 3, 1) - internal::DaysFromCivil(2000, 2, 28), 2);
  EXPECT_EQ(internal::ParseDateTime("2011-11-09 00:00:00"), internal::kP2Cutoff);
  EXPECT_EQ(internal::ParseDateTime("2011-10-10 00:00:00"), internal::kP2ValCutoff);
  EXPECT_EQ(internal::ParseDateTime("2010-12-01 08:26:00"), 1291191960);
  for (std::string_view bad : {"2011-02-29 00:00:00", "2011-13-01 00:00:00", "2011-11-09T00:00:00", "2011-11-09",
                               "2011-11-09 24:00:00", "2011-1a-09 00:00:00"}) {
    EXPECT_FALSE(internal::ParseDateTime(bad).has_value()) << bad;
  }
}

// ---- cleaning rules and splits on a small log ----

// User 1 (United Kingdom twice, France twice: the tie goes to "France"),
// user 2 (Germany), and lines each cleaning rule drops.
const std::string kSmallRaw = std::string(kHeader) +
    "500,10001,\"CUP, RED\",1,2011-01-02 10:00:00,1.5,1.0,United Kingdom\n"   // row 0: (1, 10001) later
    "499,10001,CUP,2,2011-01-01 09:00:00,1.5,1.0,United Kingdom\n"          // row 1: first (1, 10001)
    "499, 10002b ,\"SAY \"\"HI\"\"\",1,2011-01-01 09:00:00,2,1.0,France\n"  // row 2: code -> 10002B
    "501,10003,X,1,2011-11-10 12:00:00,1,1.0,France\n"                      // row 3: after the P2 cutoff
    "502,10001,X,1,2011-10-20 12:00:00,1,2.0,Germany\n"                     // row 4: before it, after P2-val's
    "503,10004,X,1,2011-11-09 00:00:00,1,2.0,Germany\n"                     // row 5: exactly at the cutoff
    "504,10005,X,1,2011-01-01 09:00:00,1,,Germany\n"                        // no customer
    "C505,10005,X,1,2011-01-01 09:00:00,1,2.0,Germany\n"                    // cancellation
    "506,10005,X,0,2011-01-01 09:00:00,1,2.0,Germany\n"                     // quantity 0
    "507,10005,X,1,2011-01-01 09:00:00,0.00,2.0,Germany\n"                  // price 0
    "508,POST,X,1,2011-01-01 09:00:00,1,2.0,Germany\n"                      // not a product code
    "509,100056,X,1,2011-01-01 09:00:00,1,2.0,Germany\n";                   // six digits

TEST(OfflineEvalDataTest, AppliesTheCleaningRules) {
  auto loaded = internal::LoadDataset(kSmallRaw);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Dataset& d = loaded.value();
  EXPECT_EQ(d.raw_rows, 12u);
  EXPECT_EQ(d.users, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(d.items, (std::vector<std::string>{"10001", "10002B", "10003", "10004"}));
  EXPECT_EQ(d.countries[d.user_country[0]], "France");
  EXPECT_EQ(d.countries[d.user_country[1]], "Germany");
  // First purchase per (user, item) = min (ts, row); global order (ts, row).
  std::vector<std::string> got;
  for (const internal::Interaction& x : d.interactions) {
    got.push_back(d.users[x.user] + "," + d.items[x.item] + "," + std::to_string(x.row) + "," +
                  d.invoices[x.invoice]);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"1,10001,1,499", "1,10002B,2,499", "2,10001,4,502", "2,10004,5,503",
                                           "1,10003,3,501"}));
}

TEST(OfflineEvalDataTest, BadRowIsAnErrorNamingItsLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"1,10001,X,1,2011-01-01 09:00:00,1,1.0\n", "expected 8 fields, found 7"},
      {"1,10001,X,one,2011-01-01 09:00:00,1,1.0,UK\n", "Quantity \"one\" is not a number"},
      {"1,10001,X,1,2011-01-01 09:00:00,1e2,1.0,UK\n", "UnitPrice \"1e2\" is not a number"},
      {"1,10001,X,1,01/01/2011 09:00,1,1.0,UK\n", "InvoiceDate \"01/01/2011 09:00\" is not YYYY-MM-DD HH:MM:SS"},
      {"1,10001,X,1,2011-01-01 09:00:00,1,17850.5,UK\n", "CustomerID \"17850.5\" is not a whole number"},
      // Quoted text stays short, printable ASCII.
      {"1,10001,X,\"\xff\n1\",2011-01-01 09:00:00,1,1.0,UK\n", "Quantity \"??1\" is not a number"},
      {"1,10001,X,1," + std::string(100, '9') + ",1,1.0,UK\n",
       "InvoiceDate \"" + std::string(60, '9') + "...\" is not YYYY-MM-DD HH:MM:SS"},
  };
  for (const auto& [bad_row, message] : cases) {
    SCOPED_TRACE(bad_row);
    const std::string raw = std::string(kHeader) + "1,10001,\"A, B\",1,2011-01-01 09:00:00,1,1.0,UK\n" + bad_row;
    auto loaded = internal::LoadDataset(raw);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::kCorrupt);
    EXPECT_EQ(loaded.error().path, "line 3");
    EXPECT_EQ(loaded.error().message, "online_retail.csv line 3: " + message);
  }
}

TEST(OfflineEvalDataTest, MissingColumnOrEmptyFileIsAnError) {
  auto empty = internal::LoadDataset("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().path, "line 1");
  auto no_country = internal::LoadDataset("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n");
  ASSERT_FALSE(no_country.ok());
  EXPECT_EQ(no_country.error().message, "online_retail.csv line 1: the header has no column Country");
}

TEST(OfflineEvalDataTest, CrossCheckNamesTheFirstDifferingLine) {
  const std::string good = "user_id,item_id,ts,row\n1,10001,1293872400,0\n1,10002B,1293872400,1\n";
  OfflineEvalOptions options;
  options.tagwise = false;
  const std::string raw = std::string(kHeader) + "499,10001,CUP,2,2011-01-01 09:00:00,1.5,1.0,UK\n" +
                          "499,10002B,CUP,2,2011-01-01 09:00:00,1.5,1.0,UK\n";
  auto ok = RunOfflineEval(Inputs(raw, good), options);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok.value().checks, (std::vector<std::string>{"interactions.csv: 2 rows identical"}));

  auto differs =
      RunOfflineEval(Inputs(raw, "user_id,item_id,ts,row\n1,10001,1293872400,0\n1,10002,1293872400,1\n"), options);
  ASSERT_FALSE(differs.ok());
  EXPECT_EQ(differs.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(differs.error().path, "line 3");
  auto shorter = RunOfflineEval(Inputs(raw, "user_id,item_id,ts,row\n1,10001,1293872400,0\n"), options);
  ASSERT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.error().path, "line 3");
  auto targets = RunOfflineEval(Inputs(raw, {}, "user_id,target_item_id,history_len\n1,10001,1\n"), options);
  ASSERT_FALSE(targets.ok());
  EXPECT_EQ(targets.error().message,
            "test_p1_leave_last_out.csv line 2: expected \"1,10002B,1\", the file has \"1,10001,1\"");
}

TEST(OfflineEvalSplitTest, TestAndValidationSplits) {
  auto loaded = internal::LoadDataset(kSmallRaw);
  ASSERT_TRUE(loaded.ok());
  const Dataset& d = loaded.value();
  std::vector<uint32_t> all(d.interactions.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  // Interactions in order: 0 (1,10001) 1 (1,10002B) 2 (2,10001) 3 (2,10004) 4 (1,10003).
  const auto p1 = internal::LeaveLastOutSplit(d, all, "P1");
  EXPECT_EQ(p1.train, (std::vector<uint32_t>{0, 1, 2}));
  ASSERT_EQ(p1.cases.size(), 2u);
  EXPECT_EQ(d.items[p1.cases[0].target], "10003");
  EXPECT_EQ(p1.cases[0].history, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(d.items[p1.cases[1].target], "10004");
  // P1-val: each user's last training item; a user with one is tested with an empty history.
  const auto p1_val = internal::LeaveLastOutSplit(d, p1.train, "P1-val");
  EXPECT_EQ(p1_val.train, (std::vector<uint32_t>{0}));
  ASSERT_EQ(p1_val.cases.size(), 2u);
  EXPECT_EQ(p1_val.cases[1].target, d.interactions[2].item);
  EXPECT_TRUE(p1_val.cases[1].history.empty());

  // P2: the cutoff instant belongs to the test window.
  const auto p2 = internal::CutoffSplit(d, all, internal::kP2Cutoff, "P2");
  EXPECT_EQ(p2.train, (std::vector<uint32_t>{0, 1, 2}));
  ASSERT_EQ(p2.cases.size(), 2u);
  EXPECT_EQ(d.items[p2.cases[0].target], "10003");
  EXPECT_EQ(d.items[p2.cases[1].target], "10004");
  EXPECT_EQ(p2.cases[1].history, (std::vector<uint32_t>{2}));
  // P2-val: the earlier cutoff on P2's training data only.
  const auto p2_val = internal::CutoffSplit(d, p2.train, internal::kP2ValCutoff, "P2-val");
  EXPECT_EQ(p2_val.train, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ(p2_val.cases.size(), 1u);
  EXPECT_EQ(d.users[p2_val.cases[0].user], "2");
  EXPECT_TRUE(p2_val.cases[0].history.empty());
}

TEST(OfflineEvalReportTest, ValidationRunNamesItsProtocols) {
  OfflineEvalOptions options;
  options.tagwise = false;
  options.validation = true;
  auto run = RunOfflineEval(Inputs(kSmallRaw), options);
  ASSERT_TRUE(run.ok()) << run.error().message;
  const OfflineEvalReport& r = run.value();
  ASSERT_EQ(r.protocols.size(), 3u);
  EXPECT_EQ(r.protocols[0].protocol, "P1-val");
  EXPECT_EQ(r.protocols[1].protocol, "P1-sim-val");
  EXPECT_EQ(r.protocols[2].protocol, "P2-val");
  ASSERT_NE(r.Find("P2-val"), nullptr);
  EXPECT_EQ(r.Find("P2-val")->train_interactions, 2u);
  EXPECT_EQ(r.Find("P2"), nullptr);
  ASSERT_NE(r.protocols[0].Find("item-knn"), nullptr);
  EXPECT_EQ(r.protocols[0].Find("tagwise"), nullptr);
  ASSERT_NE(r.protocols[1].Find("item-knn")->Find("visible=1"), nullptr);
}

TEST(OfflineEvalReportTest, JsonAndTableForms) {
  OfflineEvalReport r;
  r.raw_rows = 3;
  r.interactions = 2;
  r.users = 2;
  r.items = 1;
  r.checks = {"interactions.csv: 2 rows identical"};
  ProtocolReport p{"P1", 2, 0, {}};
  p.models.push_back(ModelMetrics{"item-knn", {{"all", 2, 1, 0.5, 0.25}}});
  p.models.push_back(ModelMetrics{"tagwise", {{"all", 2, 2, 1.0, 0.75}}});
  r.protocols.push_back(p);

  const nlohmann::json j = OfflineEvalReportToJson(r);
  EXPECT_EQ(j["dataset"]["raw_rows"], 3);
  EXPECT_EQ(j["checks"][0], "interactions.csv: 2 rows identical");
  EXPECT_EQ(j["protocols"][0]["models"][1]["buckets"][0],
            (nlohmann::json{{"bucket", "all"}, {"users", 2}, {"hits", 2}, {"hr", 1.0}, {"ndcg", 0.75}}));

  EXPECT_EQ(FormatOfflineEvalTable(r),
            "dataset: 3 raw rows, 2 interactions, 2 users, 1 items\n"
            "check: interactions.csv: 2 rows identical\n"
            "\n"
            "P1: 2 test users, 0 training interactions\n"
            "bucket     n      item-knn                         tagwise\n"
            "all        2      0.500000 / 0.250000 [1]          1.000000 / 0.750000 [2]\n"
            "tagwise / item-knn NDCG: all 3.000\n");
}

// ---- the tagwise model ----

// Users 1 and 2 buy 10001 and 10002 together; user 3 buys 10001, then 10002
// after the P2 cutoff: P2 tests user 3 with history {10001}, target 10002.
const std::string kPairRaw = std::string(kHeader) +
    "1,10001,X,1,2011-01-01 09:00:00,1,1.0,UK\n"
    "1,10002,X,1,2011-01-01 09:00:00,1,1.0,UK\n"
    "2,10001,X,1,2011-01-02 09:00:00,1,2.0,UK\n"
    "2,10002,X,1,2011-01-02 09:00:00,1,2.0,UK\n"
    "3,10001,X,1,2011-01-03 09:00:00,1,3.0,UK\n"
    "4,10002,X,1,2011-11-10 09:00:00,1,3.0,UK\n";

TEST(OfflineEvalTagwiseTest, EvaluatesEveryParameterSetOnHintsBuiltOnce) {
  auto loaded = internal::LoadDataset(kPairRaw);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Dataset& d = loaded.value();
  std::vector<uint32_t> all(d.interactions.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  const auto p2 = internal::CutoffSplit(d, all, internal::kP2Cutoff, "P2");
  auto hints = internal::BuildSplitHints(d, p2, HintBuildOptions{});
  ASSERT_TRUE(hints.ok()) << hints.error().message;
  EXPECT_EQ(hints.value().interactions, 5u);  // the training interactions only
  std::vector<RecommendParams> params(2);
  params[1].recency_decay = 0.9;
  const auto metrics =
      internal::EvaluateTagwise(d, p2, hints.value(), params, 10, internal::HistoryView::kFull);
  ASSERT_EQ(metrics.size(), 2u);
  for (const ModelMetrics& m : metrics) {
    EXPECT_EQ(m.model, "tagwise");
    const BucketMetrics* hist1 = m.Find("hist=1");
    ASSERT_NE(hist1, nullptr);
    EXPECT_EQ(hist1->users, 1u);
    EXPECT_EQ(hist1->hits, 1u);
    EXPECT_DOUBLE_EQ(hist1->ndcg, 1.0);
  }
}

TEST(OfflineEvalTagwiseTest, RunReportsTagwiseAfterTheBaselines) {
  OfflineEvalOptions options;
  options.p1_sim = false;
  auto run = RunOfflineEval(Inputs(kPairRaw), options);
  ASSERT_TRUE(run.ok()) << run.error().message;
  const ProtocolReport* p2 = run.value().Find("P2");
  ASSERT_NE(p2, nullptr);
  std::vector<std::string> models;
  for (const ModelMetrics& m : p2->models) models.push_back(m.model);
  EXPECT_EQ(models, (std::vector<std::string>{"popularity", "item-knn", "country-popularity", "tagwise"}));
  EXPECT_EQ(p2->Find("tagwise")->Find("all")->hits, 1u);
}

// ---- the README's reference numbers on the real data ----

// One expected cell of the README tables; ndcg < 0 = not given there.
struct Expected {
  const char* protocol;
  const char* model;
  const char* bucket;
  size_t users;
  size_t hits;
  double hr;
  double ndcg;
};

class OfflineEvalRetailTest : public ::testing::Test {
 protected:
  // The data is read and evaluated once for the whole suite (about 2.5 s native).
  static void SetUpTestSuite() {
    const std::string dir = testing::SharedDir() + "/data/online-retail/";
    const std::string raw = ReadFile(dir + "online_retail.csv");
    const std::string interactions = ReadFile(dir + "interactions.csv");
    const std::string p1 = ReadFile(dir + "test_p1_leave_last_out.csv");
    const std::string p2 = ReadFile(dir + "test_p2_temporal.csv");
    OfflineEvalOptions options;  // baselines and the tagwise scorer with its default (tuned) parameters
    auto run = RunOfflineEval(Inputs(raw, interactions, p1, p2), options);
    if (run.ok()) report_ = new OfflineEvalReport(std::move(run.value()));
    else error_ = new Error(run.error());
  }
  static void TearDownTestSuite() {
    delete report_;
    delete error_;
    report_ = nullptr;
    error_ = nullptr;
  }

  static void ExpectCells(std::initializer_list<Expected> cells) {
    ASSERT_NE(report_, nullptr) << (error_ != nullptr ? error_->message : "no report");
    for (const Expected& e : cells) {
      SCOPED_TRACE(std::string(e.protocol) + " " + e.model + " " + e.bucket);
      const ProtocolReport* p = report_->Find(e.protocol);
      ASSERT_NE(p, nullptr);
      const ModelMetrics* m = p->Find(e.model);
      ASSERT_NE(m, nullptr);
      const BucketMetrics* b = m->Find(e.bucket);
      ASSERT_NE(b, nullptr);
      EXPECT_EQ(b->users, e.users);
      EXPECT_EQ(b->hits, e.hits);
      EXPECT_NEAR(b->hr, e.hr, 5e-7);
      if (e.ndcg >= 0) {
        EXPECT_NEAR(b->ndcg, e.ndcg, 5e-7);
      }
    }
  }

  static OfflineEvalReport* report_;
  static Error* error_;
};

OfflineEvalReport* OfflineEvalRetailTest::report_ = nullptr;
Error* OfflineEvalRetailTest::error_ = nullptr;

TEST_F(OfflineEvalRetailTest, DerivedDataEqualsTheShippedFiles) {
  ASSERT_NE(report_, nullptr) << (error_ != nullptr ? error_->message : "no report");
  EXPECT_EQ(report_->raw_rows, 541909u);
  EXPECT_EQ(report_->interactions, 266221u);
  EXPECT_EQ(report_->users, 4334u);
  EXPECT_EQ(report_->items, 3659u);
  EXPECT_EQ(report_->checks, (std::vector<std::string>{"interactions.csv: 266221 rows identical",
                                                       "test_p1_leave_last_out.csv: 4334 rows identical",
                                                       "test_p2_temporal.csv: 1565 rows identical"}));
  ASSERT_NE(report_->Find("P1"), nullptr);
  EXPECT_EQ(report_->Find("P1")->train_interactions, 261887u);
  ASSERT_NE(report_->Find("P2"), nullptr);
  EXPECT_EQ(report_->Find("P2")->train_interactions, 230662u);
}

TEST_F(OfflineEvalRetailTest, P1BaselinesMatchTheReadme) {
  ExpectCells({
      {"P1", "popularity", "all", 4334, 172, 0.039686, 0.019967},
      {"P1", "popularity", "cold<=3", 258, 24, 0.093023, 0.048683},
      {"P1", "popularity", "hist=0", 94, 12, 0.127660, 0.070352},
      {"P1", "popularity", "hist=1", 51, 3, 0.058824, 0.035948},
      {"P1", "popularity", "hist=2", 61, 5, 0.081967, 0.030359},
      {"P1", "popularity", "hist=3", 52, 4, 0.076923, 0.043497},
      {"P1", "popularity", "warm>3", 4076, 148, 0.036310, 0.018149},
      {"P1", "item-knn", "all", 4334, 476, 0.109829, 0.062995},
      {"P1", "item-knn", "cold<=3", 258, 70, 0.271318, 0.189549},
      {"P1", "item-knn", "hist=0", 94, 12, 0.127660, 0.070352},
      {"P1", "item-knn", "hist=1", 51, 21, 0.411765, 0.308653},
      {"P1", "item-knn", "hist=2", 61, 22, 0.360656, 0.255912},
      {"P1", "item-knn", "hist=3", 52, 15, 0.288462, 0.210357},
      {"P1", "item-knn", "warm>3", 4076, 406, 0.099607, 0.054984},
      {"P1", "country-popularity", "all", 4334, 180, 0.041532, 0.020192},
      {"P1", "country-popularity", "cold<=3", 258, 24, 0.093023, 0.042885},
      {"P1", "country-popularity", "hist=0", 94, 12, 0.127660, 0.057903},
      {"P1", "country-popularity", "hist=1", 51, 3, 0.058824, 0.028078},
      {"P1", "country-popularity", "hist=2", 61, 5, 0.081967, 0.029259},
      {"P1", "country-popularity", "hist=3", 52, 4, 0.076923, 0.046243},
      {"P1", "country-popularity", "warm>3", 4076, 156, 0.038273, 0.018756},
  });
}

TEST_F(OfflineEvalRetailTest, P1SimBaselinesMatchTheReadme) {
  // The README gives HR and NDCG; the hits are HR x users.
  ExpectCells({
      {"P1-sim", "popularity", "visible=1", 4240, 143, 0.033726, 0.016582},
      {"P1-sim", "popularity", "visible=2", 4189, 140, 0.033421, 0.016401},
      {"P1-sim", "popularity", "visible=3", 4128, 137, 0.033188, 0.016354},
      {"P1-sim", "item-knn", "visible=1", 4240, 1108, 0.261321, 0.179873},
      {"P1-sim", "item-knn", "visible=2", 4189, 1053, 0.251373, 0.167024},
      {"P1-sim", "item-knn", "visible=3", 4128, 960, 0.232558, 0.145920},
  });
}

TEST_F(OfflineEvalRetailTest, P2BaselinesMatchTheReadme) {
  ExpectCells({
      {"P2", "popularity", "all", 1565, 34, 0.021725, 0.010369},
      {"P2", "popularity", "cold<=3", 287, 11, 0.038328, 0.019907},
      {"P2", "popularity", "hist=0", 271, 11, 0.040590, 0.021082},
      {"P2", "popularity", "hist=1", 3, 0, 0, -1},
      {"P2", "popularity", "hist=2", 8, 0, 0, -1},
      {"P2", "popularity", "hist=3", 5, 0, 0, -1},
      {"P2", "popularity", "warm>3", 1278, 23, 0.017997, 0.008227},
      {"P2", "item-knn", "all", 1565, 65, 0.041534, 0.020605},
      {"P2", "item-knn", "cold<=3", 287, 13, 0.045296, 0.024304},
      {"P2", "item-knn", "hist=0", 271, 11, 0.040590, 0.021082},
      {"P2", "item-knn", "hist=1", 3, 0, 0, -1},
      {"P2", "item-knn", "hist=2", 8, 1, 0.125, -1},
      {"P2", "item-knn", "hist=3", 5, 1, 0.2, -1},
      {"P2", "item-knn", "warm>3", 1278, 52, 0.040689, 0.019774},
      {"P2", "country-popularity", "all", 1565, 43, 0.027476, 0.013404},
      {"P2", "country-popularity", "cold<=3", 287, 14, 0.048780, 0.025833},
      {"P2", "country-popularity", "hist=0", 271, 13, 0.047970, 0.026194},
      {"P2", "country-popularity", "hist=1", 3, 0, 0, -1},
      {"P2", "country-popularity", "hist=2", 8, 0, 0, -1},
      {"P2", "country-popularity", "hist=3", 5, 1, 0.2, -1},
      {"P2", "country-popularity", "warm>3", 1278, 29, 0.022692, 0.010613},
  });
}

// The tagwise scorer next to the baselines on the test splits, with the
// defaults tuned on the validation splits (docs/recommendations.md). The
// hit counts pin the model: a change that moves them must update the table
// in docs/recommendations.md too. Goals of issue 6 (NDCG vs item-kNN):
// P1 all >= 1.5x (met), P2 all >= 1.1x (met), P1 cold <= 3 >= 1.1x (met on
// validation, 1.07x on the test split: reported, not asserted).
TEST_F(OfflineEvalRetailTest, TagwiseBeatsItemKnnWhereTheGoalsSay) {
  ASSERT_NE(report_, nullptr) << (error_ != nullptr ? error_->message : "no report");
  const auto ndcg = [](const char* protocol, const char* model, const char* bucket) {
    const BucketMetrics* b = report_->Find(protocol)->Find(model)->Find(bucket);
    return b == nullptr ? -1.0 : b->ndcg;
  };
  const auto hits = [](const char* protocol, const char* bucket) {
    return report_->Find(protocol)->Find("tagwise")->Find(bucket)->hits;
  };
  ASSERT_NE(report_->Find("P1")->Find("tagwise"), nullptr);
  EXPECT_GE(ndcg("P1", "tagwise", "all"), 1.5 * ndcg("P1", "item-knn", "all"));
  EXPECT_GE(ndcg("P2", "tagwise", "all"), 1.1 * ndcg("P2", "item-knn", "all"));
  EXPECT_GE(ndcg("P1", "tagwise", "cold<=3"), ndcg("P1", "item-knn", "cold<=3"));
  for (const char* v : {"visible=1", "visible=2", "visible=3"}) {
    EXPECT_GT(ndcg("P1-sim", "tagwise", v), ndcg("P1-sim", "item-knn", v)) << v;
  }
  EXPECT_EQ(hits("P1", "all"), 858u);
  EXPECT_EQ(hits("P1", "cold<=3"), 76u);
  EXPECT_EQ(hits("P2", "all"), 92u);
  EXPECT_EQ(hits("P2", "cold<=3"), 16u);
}

}  // namespace
}  // namespace tagwise
