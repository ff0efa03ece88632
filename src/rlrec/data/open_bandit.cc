#include "rlrec/data/open_bandit.h"

#include <algorithm>
#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/data/text.h"

namespace rlrec::data {

namespace {

constexpr int kMaxColumns = 1 << 16;

std::vector<std::string_view> split_header(std::string_view line, const std::string& where) {
  std::vector<std::string_view> f(kMaxColumns);
  const int n = text::split(line, ",", f.data(), kMaxColumns);
  if (n < 0 || n > kMaxColumns)
    throw_error(ErrorCode::kCorrupt, where, ": header has more than ", kMaxColumns, " columns");
  f.resize(static_cast<size_t>(n));
  return f;
}

// The first non-blank line (a UTF-8 BOM removed); throws for an empty file.
std::string_view first_line(text::LineReader& reader) {
  std::string_view line;
  while (reader.next(line)) {
    if (reader.line_number() == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (!line.empty()) return line;
  }
  throw_error(ErrorCode::kCorrupt, reader.path(), ": empty file (no header)");
}

// pandas writes its row index as an unnamed first column ("" or "Unnamed: 0").
bool is_index_column(size_t col, std::string_view name) {
  return col == 0 && (name.empty() || name == "Unnamed: 0");
}

// "<prefix><j>" -> j, or -1.
int suffix_index(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return -1;
  int64_t j;
  if (!text::parse_int(name.substr(prefix.size()), j) || j < 0 || j >= kMaxColumns) return -1;
  if (name[prefix.size()] == '+' || name[prefix.size()] == ' ') return -1;
  return static_cast<int>(j);
}

std::string names_list(const std::vector<std::string_view>& header) {
  std::vector<std::string> names(header.begin(), header.end());
  std::string s = join(names);
  return text::quote_excerpt(s, 160);
}

}  // namespace

ItemContext load_item_context(const std::string& path) {
  text::LineReader reader(path);
  const std::string header_line(first_line(reader));
  const std::string where_header = str_cat(path, ":", reader.line_number());
  const std::vector<std::string_view> header = split_header(header_line, where_header);
  int id_col = -1;
  std::vector<int> feature_cols;
  for (size_t c = 0; c < header.size(); ++c) {
    if (is_index_column(c, header[c])) continue;
    if (header[c] == "item_id") {
      if (id_col >= 0)
        throw_error(ErrorCode::kCorrupt, where_header, ": column 'item_id' appears twice");
      id_col = static_cast<int>(c);
    } else {
      feature_cols.push_back(static_cast<int>(c));
    }
  }
  if (id_col < 0)
    throw_error(ErrorCode::kCorrupt, where_header,
                ": item context header lacks column 'item_id'; columns: ", names_list(header));

  // The table is small (tens to thousands of items): keep the text, then type each column.
  std::vector<std::vector<std::string>> cells;  // per row, the feature values
  std::vector<int32_t> ids;
  std::vector<size_t> id_line;
  std::vector<std::string_view> f(header.size() + 1);
  std::string_view line;
  while (reader.next(line)) {
    if (line.empty()) continue;
    const std::string where = str_cat(path, ":", reader.line_number());
    const int n = text::split(line, ",", f.data(), static_cast<int>(f.size()));
    if (n != static_cast<int>(header.size()))
      throw_error(ErrorCode::kCorrupt, where, ": expected ", header.size(),
                  " fields separated by ',' (as the header), got ", n);
    int64_t id;
    if (!text::parse_int(f[static_cast<size_t>(id_col)], id) || id < 0 || id > INT32_MAX)
      throw_error(ErrorCode::kCorrupt, where, ": item_id '",
                  text::quote_excerpt(f[static_cast<size_t>(id_col)]),
                  "' is not a non-negative integer");
    ids.push_back(static_cast<int32_t>(id));
    id_line.push_back(reader.line_number());
    std::vector<std::string> row;
    row.reserve(feature_cols.size());
    for (int c : feature_cols) row.emplace_back(f[static_cast<size_t>(c)]);
    cells.push_back(std::move(row));
  }
  const size_t n_items = ids.size();
  if (n_items == 0) throw_error(ErrorCode::kCorrupt, path, ": no items after the header");
  std::vector<size_t> seen_at(n_items, 0);  // line of the row holding each id (0 = none yet)
  for (size_t r = 0; r < n_items; ++r) {
    const auto id = static_cast<size_t>(ids[r]);
    if (id >= n_items)
      throw_error(ErrorCode::kCorrupt, path, ":", id_line[r], ": item_id ", id,
                  " is out of range: the file has ", n_items, " items, so ids must be 0..",
                  n_items - 1);
    if (seen_at[id])
      throw_error(ErrorCode::kCorrupt, path, ":", id_line[r], ": item_id ", id, " repeats line ",
                  seen_at[id]);
    seen_at[id] = id_line[r];
  }

  ItemContext ctx;
  ctx.num_items = static_cast<int32_t>(n_items);
  std::vector<size_t> numeric_cols, categorical_cols;
  for (size_t k = 0; k < feature_cols.size(); ++k) {
    bool numeric = true;
    double v;
    for (size_t r = 0; r < n_items && numeric; ++r)
      numeric = text::parse_double(cells[r][k], v) && std::isfinite(v);
    (numeric ? numeric_cols : categorical_cols).push_back(k);
    (numeric ? ctx.numeric_names : ctx.categorical_names)
        .emplace_back(header[static_cast<size_t>(feature_cols[k])]);
  }
  ctx.numeric.resize(n_items, numeric_cols.size());
  ctx.categorical.resize(n_items, categorical_cols.size());
  ctx.categorical_values.resize(categorical_cols.size());
  // Codes are assigned in item-id order, so they do not depend on the row order of the file.
  std::vector<size_t> row_of(n_items);
  for (size_t r = 0; r < n_items; ++r) row_of[static_cast<size_t>(ids[r])] = r;
  for (size_t item = 0; item < n_items; ++item) {
    const auto& row = cells[row_of[item]];
    for (size_t j = 0; j < numeric_cols.size(); ++j) {
      float x;
      text::parse_float(row[numeric_cols[j]], x);
      ctx.numeric(item, j) = x;
    }
    for (size_t j = 0; j < categorical_cols.size(); ++j) {
      const std::string& value = row[categorical_cols[j]];
      if (value.empty())
        throw_error(ErrorCode::kCorrupt, path, ":", id_line[row_of[item]], ": column '",
                    ctx.categorical_names[j], "' is empty");
      ctx.categorical(item, j) = ctx.categorical_values[j].add(value);
    }
  }
  return ctx;
}

BanditLog load_open_bandit(const std::string& csv_path, const std::string& item_context_path,
                           const BanditLoadOptions& options, LoadReport* report_out) {
  if (options.num_positions < 1)
    invalid_argument("num_positions must be >= 1, got ", options.num_positions);
  // The log is opened and its header read first, so that a missing, empty or device log (or a
  // directory given for it) is reported as such, not as the missing item context beside it.
  text::LineReader reader(csv_path);
  const std::string header_line(first_line(reader));
  BanditLog log;
  log.items = load_item_context(item_context_path);
  log.num_positions = options.num_positions;
  const auto n_items = static_cast<size_t>(log.items.num_items);

  LoadReport local;
  LoadReport& report = report_out ? *report_out : local;
  report = LoadReport();
  report.path = csv_path;
  report.format = Format::kCsv;

  const std::string where_header = str_cat(csv_path, ":", reader.line_number());
  const std::vector<std::string_view> header = split_header(header_line, where_header);

  int col_timestamp = -1, col_item = -1, col_position = -1, col_click = -1, col_propensity = -1;
  std::vector<std::pair<int, int>> user_cols;  // (feature index j, column)
  std::vector<int> affinity_col(n_items, -1);  // per item, its column
  size_t affinity_count = 0;
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string_view name = header[c];
    const int col = static_cast<int>(c);
    if (is_index_column(c, name)) continue;
    auto take = [&](const char* wanted, int& slot) {
      if (name != wanted) return false;
      if (slot >= 0)
        throw_error(ErrorCode::kCorrupt, where_header, ": column '", wanted, "' appears twice");
      slot = col;
      return true;
    };
    if (take("timestamp", col_timestamp) || take("item_id", col_item) ||
        take("position", col_position) || take("click", col_click) ||
        take("propensity_score", col_propensity))
      continue;
    if (const int j = suffix_index(name, "user_feature_"); j >= 0) {
      user_cols.emplace_back(j, col);
      continue;
    }
    if (const int j = suffix_index(name, "user-item_affinity_"); j >= 0) {
      if (static_cast<size_t>(j) >= n_items)
        throw_error(ErrorCode::kCorrupt, where_header, ": column '", name, "' names item ", j,
                    " but ", item_context_path, " has ", n_items, " items (0..", n_items - 1, ")");
      if (affinity_col[static_cast<size_t>(j)] >= 0)
        throw_error(ErrorCode::kCorrupt, where_header, ": column '", name, "' appears twice");
      affinity_col[static_cast<size_t>(j)] = col;
      ++affinity_count;
      continue;
    }
    log.ignored_columns.emplace_back(name);
  }
  const std::pair<const char*, int> required[] = {{"timestamp", col_timestamp},
                                                  {"item_id", col_item},
                                                  {"position", col_position},
                                                  {"click", col_click},
                                                  {"propensity_score", col_propensity}};
  for (const auto& [name, col] : required)
    if (col < 0)
      throw_error(ErrorCode::kCorrupt, where_header, ": header lacks column '", name,
                  "'; columns: ", names_list(header));
  if (affinity_count != 0 && affinity_count != n_items) {
    size_t missing = 0;
    while (affinity_col[missing] >= 0) ++missing;
    throw_error(ErrorCode::kCorrupt, where_header, ": has ", affinity_count,
                " user-item_affinity columns but ", item_context_path, " has ", n_items,
                " items (missing user-item_affinity_", missing, ")");
  }
  if (affinity_count == 0) affinity_col.clear();  // a file without affinities: an n x 0 matrix
  std::sort(user_cols.begin(), user_cols.end());
  for (size_t k = 1; k < user_cols.size(); ++k)
    if (user_cols[k].first == user_cols[k - 1].first)
      throw_error(ErrorCode::kCorrupt, where_header, ": column 'user_feature_", user_cols[k].first,
                  "' appears twice");
  for (const auto& [j, col] : user_cols)
    log.user_feature_names.emplace_back(header[static_cast<size_t>(col)]);
  log.user_feature_values.resize(user_cols.size());

  const size_t n_fields = header.size();
  const size_t n_user = user_cols.size(), n_aff = affinity_col.size();
  std::vector<std::string_view> f(n_fields + 1);
  std::vector<int32_t> user_storage;
  std::vector<float> affinity_storage;
  std::vector<float> aff_row(n_aff);
  std::string_view line;
  auto reject = [&](const std::string& problem) {
    std::string msg = str_cat(csv_path, ":", reader.line_number(), ": ", problem);
    if (!options.skip_malformed) throw Error(ErrorCode::kCorrupt, msg);
    ++report.rejected;
    if (report.problems.size() < LoadReport::kMaxProblems)
      report.problems.push_back(std::move(msg));
  };
  auto field = [&](int col) { return f[static_cast<size_t>(col)]; };

  while (reader.next(line)) {
    if (line.empty()) continue;
    ++report.read;
    const int n = text::split(line, ",", f.data(), static_cast<int>(f.size()));
    if (n != static_cast<int>(n_fields)) {
      reject(str_cat("expected ", n_fields, " fields separated by ',' (as the header), got ", n));
      continue;
    }
    int64_t ts;
    if (!text::parse_datetime_us(field(col_timestamp), ts)) {
      reject(str_cat("timestamp '", text::quote_excerpt(field(col_timestamp)),
                     "' is not an ISO 8601 date-time (YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM])"));
      continue;
    }
    int64_t item;
    if (!text::parse_int(field(col_item), item) || item < 0 ||
        static_cast<size_t>(item) >= n_items) {
      reject(str_cat("item_id '", text::quote_excerpt(field(col_item)), "' is not an item of ",
                     item_context_path, " (0..", n_items - 1, ")"));
      continue;
    }
    int64_t position;
    if (!text::parse_int(field(col_position), position) || position < 1 ||
        position > options.num_positions) {
      reject(str_cat("position '", text::quote_excerpt(field(col_position)),
                     "' is not an integer in 1..", options.num_positions));
      continue;
    }
    const std::string_view click = field(col_click);
    if (click != "0" && click != "1") {
      reject(str_cat("click '", text::quote_excerpt(click), "' is not 0 or 1"));
      continue;
    }
    double propensity;
    if (!text::parse_double(field(col_propensity), propensity) ||
        !(propensity > 0.0 && propensity <= 1.0)) {
      reject(str_cat("propensity_score '", text::quote_excerpt(field(col_propensity)),
                     "' is not in (0, 1]"));
      continue;
    }
    bool ok = true;
    for (size_t j = 0; j < n_user && ok; ++j)
      if (field(user_cols[j].second).empty()) {
        reject(str_cat("column '", log.user_feature_names[j], "' is empty"));
        ok = false;
      }
    for (size_t j = 0; j < n_aff && ok; ++j) {
      if (!text::parse_float(field(affinity_col[j]), aff_row[j]) || !std::isfinite(aff_row[j])) {
        reject(str_cat("user-item_affinity_", j, " '", text::quote_excerpt(field(affinity_col[j])),
                       "' is not a finite number"));
        ok = false;
      }
    }
    if (!ok) continue;
    log.timestamp_us.push_back(ts);
    log.item.push_back(static_cast<int32_t>(item));
    log.position.push_back(static_cast<int32_t>(position - 1));
    log.click.push_back(static_cast<int8_t>(click[0] - '0'));
    log.propensity.push_back(propensity);
    for (size_t j = 0; j < n_user; ++j)
      user_storage.push_back(log.user_feature_values[j].add(field(user_cols[j].second)));
    affinity_storage.insert(affinity_storage.end(), aff_row.begin(), aff_row.end());
  }
  report.kept = log.size();
  if (report.read == 0)
    throw_error(ErrorCode::kCorrupt, csv_path, ": no data rows after the header");
  if (report.kept == 0)
    throw_error(ErrorCode::kCorrupt, csv_path, ": all ", report.read,
                " rows are malformed; first: ", report.problems.front());
  log.user_features.resize(log.size(), n_user);
  log.user_features.storage() = std::move(user_storage);
  log.affinity.resize(log.size(), n_aff);
  log.affinity.storage() = std::move(affinity_storage);
  return log;
}

BanditLog load_open_bandit_campaign(const std::string& root, std::string_view behavior_policy,
                                    std::string_view campaign, const BanditLoadOptions& options,
                                    LoadReport* report) {
  static const std::vector<std::string> kPolicies = {"random", "bts"};
  static const std::vector<std::string> kCampaigns = {"all", "men", "women"};
  if (std::find(kPolicies.begin(), kPolicies.end(), behavior_policy) == kPolicies.end())
    throw_unknown("OBD behavior policy", behavior_policy, kPolicies);
  if (std::find(kCampaigns.begin(), kCampaigns.end(), campaign) == kCampaigns.end())
    throw_unknown("OBD campaign", campaign, kCampaigns);
  std::string dir = root;
  if (!dir.empty() && dir.back() != '/') dir += '/';
  dir += str_cat(behavior_policy, "/", campaign, "/");
  return load_open_bandit(str_cat(dir, campaign, ".csv"), dir + "item_context.csv", options,
                          report);
}

}  // namespace rlrec::data
