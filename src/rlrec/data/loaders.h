// Streaming loaders for interaction logs: MovieLens (100K, 1M, 20M/25M/latest), generic CSV/TSV
// with a column mapping, and RecBole atomic `.inter` files; plus aligning a test log to a training
// log's ids.
//
// Formats (names as given to --format):
//   ml-100k  `u.data`, `u1.base`...: TAB-separated `user item rating timestamp`, no header.
//   ml-1m    `ratings.dat`: `UserID::MovieID::Rating::Timestamp`, no header.
//   ml-csv   `ratings.csv` of ml-20m/ml-25m/ml-latest: header `userId,movieId,rating,timestamp`.
//   csv      comma-separated (or ColumnMapping::separator), columns picked by ColumnMapping.
//   tsv      TAB-separated, columns picked by ColumnMapping (its separator is ignored).
//   recbole  RecBole atomic file: TAB-separated, header of `name:type` (token, token_seq, float,
//            float_seq); reads `user_id`, `item_id` and, when present, `rating` and `timestamp`.
//   auto     by file name (u.data, u[1-5].base/.test, ua/ub.base/.test -> ml-100k; ratings.dat ->
//            ml-1m; ratings.csv -> ml-csv; *.inter -> recbole), otherwise by the first line:
//            "::" -> ml-1m; `userId,movieId,...` -> ml-csv; TAB fields all `name:type` -> recbole;
//            a TAB -> tsv; a ',' (or ';') -> csv. For sniffed csv/tsv the header is detected: the
//            first line is a header if its rating or timestamp field is not a number (when the
//            mapping has neither, ColumnMapping::header decides).
//
// Row rules (a row breaking one is malformed):
//   - MovieLens formats: exactly 4 fields; user and item ids are positive integers; the rating is a
//     number in the format's range (1..5 for ml-100k/ml-1m, 0.5..5 for ml-csv) unless LoadOptions
//     sets min_rating/max_rating; the timestamp is an integer.
//   - csv/tsv/recbole: at least as many fields as the mapping needs; ids are non-empty strings; the
//     rating (if mapped) is a finite number within [min_rating, max_rating]; the timestamp (if
//     mapped) is an integer, a decimal (floored) or an ISO 8601 date-time (seconds, UTC).
//   - CSV fields may be RFC 4180-quoted ("a,b" and "" for a quote), within one line.
//   - Spaces around ids and numbers are ignored ("1, 2, 4.5" reads as "1,2,4.5").
//   - Blank lines are not rows: they are skipped and not counted.
// A malformed row throws Error(kCorrupt, "<path>:<line>: <problem>"), or with skip_malformed is
// counted in LoadReport::rejected and its message kept (the first kMaxProblems). A file with no
// rows, or whose rows were all rejected, is an error. A missing file is Error(kNotFound).
//
// Ids: the original id strings are kept exactly as written ("007" and "7" are different ids);
// dense ids are assigned in order of first appearance (see interactions.h).
//
// Speed: one pass, one 1 MiB buffer, std::from_chars; integer ids go through a direct lookup table,
// so the IdMap's hash map is touched once per distinct id (see benchmarks/data_load_bench.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/data/interactions.h"

namespace rlrec::data {

enum class Format { kAuto, kMovieLens100K, kMovieLens1M, kMovieLensCsv, kCsv, kTsv, kRecBole };

// "auto", "ml-100k", "ml-1m", "ml-csv", "csv", "tsv", "recbole". Throws kNotFound with a
// did-you-mean for an unknown name.
Format parse_format(std::string_view name);
const char* format_name(Format format);
// All names accepted by parse_format, in enum order.
const std::vector<std::string>& format_names();

// Which columns (0-based) of a csv/tsv file hold what; -1 = absent. No rating column means an
// implicit signal (rating 1.0); no timestamp column means timestamp 0.
struct ColumnMapping {
  int user = 0, item = 1, rating = 2, timestamp = 3;
  bool header = true;    // the first line is a header (skipped)
  char separator = ',';  // for kCsv (kTsv always uses TAB)
};

struct LoadOptions {
  Format format = Format::kAuto;
  ColumnMapping columns;        // for kCsv/kTsv (and sniffed csv/tsv files)
  bool skip_malformed = false;  // skip and count malformed rows instead of throwing
  // Ratings outside [min_rating, max_rating] are malformed. Left infinite, the MovieLens formats
  // use their documented range (see above); other formats accept any finite rating.
  float min_rating = -std::numeric_limits<float>::infinity();
  float max_rating = std::numeric_limits<float>::infinity();
};

struct LoadReport {
  static constexpr size_t kMaxProblems = 10;
  std::string path;
  Format format = Format::kAuto;      // the format used (after detection)
  size_t read = 0;                    // data rows read (header and blank lines excluded)
  size_t kept = 0;                    // rows in the log
  size_t rejected = 0;                // malformed rows skipped (only with skip_malformed)
  std::vector<std::string> problems;  // the first kMaxProblems messages, "path:line: problem"
  // One line for logs: "ratings.csv (ml-csv): 100 rows read, 98 kept, 2 rejected".
  std::string summary() const;
};

// Loads a whole interaction file. Throws Error as described above; fills `report` if given.
InteractionLog load_interactions(const std::string& path, const LoadOptions& options = {},
                                 LoadReport* report = nullptr);

// What to do with test rows whose user or item does not occur in the training log.
enum class UnseenPolicy {
  kDrop,   // drop such rows and count them in AlignReport
  kError,  // throw Error(kInvalidArgument) naming the first unseen id
};
// "drop", "error"; throws kNotFound with a did-you-mean otherwise.
UnseenPolicy parse_unseen_policy(std::string_view name);
const char* unseen_policy_name(UnseenPolicy policy);

struct AlignReport {
  size_t kept = 0;
  size_t dropped_unseen_user = 0;  // rows whose user is unseen (whatever their item)
  size_t dropped_unseen_item = 0;  // rows whose user is known but item unseen
};

// `test` re-expressed in `train`'s dense ids (the result's IdMaps are copies of train's), rows kept
// in order. Rows with an unseen user or item are handled by `policy`.
InteractionLog align_to(const InteractionLog& test, const InteractionLog& train,
                        UnseenPolicy policy, AlignReport* report = nullptr);

// Item metadata for output (titles instead of ids).
struct ItemInfo {
  std::string id;                   // original item id, as in the ratings file
  std::string title;                // UTF-8
  std::vector<std::string> genres;  // e.g. {"Animation", "Children's", "Comedy"}
};
// Reads MovieLens item files: ml-100k `u.item` ('|'-separated, latin-1, 19 genre flags), ml-1m
// `movies.dat` ("::", latin-1 unless valid UTF-8) or ml-csv `movies.csv` (header, quoted titles,
// UTF-8, genres '|'-separated). kAuto picks by file name (u.item, movies.dat, movies.csv).
// Text that is valid UTF-8 is kept as is; otherwise it is decoded as latin-1.
std::vector<ItemInfo> load_item_info(const std::string& path, Format format = Format::kAuto);

}  // namespace rlrec::data
