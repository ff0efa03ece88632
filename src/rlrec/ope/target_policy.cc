// Target policies; formulas and references in target_policy.h.
#include "rlrec/ope/target_policy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::ope {

double sample_gamma(Rng& rng, double shape) {
  if (shape < 1.0) {
    const double u = rng.uniform();
    return sample_gamma(rng, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double sample_beta(Rng& rng, double a, double b) {
  const double x = sample_gamma(rng, a);
  const double y = sample_gamma(rng, b);
  return x / (x + y);
}

ActionDist bernoulli_ts_action_dist(const BetaPrior& prior, int L, int n_sim, uint64_t seed) {
  const int A = static_cast<int>(prior.alpha.size());
  if (A == 0 || prior.beta.size() != prior.alpha.size())
    invalid_argument("Beta prior needs one alpha and one beta per item, got ", prior.alpha.size(),
                     " alphas and ", prior.beta.size(), " betas");
  for (int a = 0; a < A; ++a)
    if (!(prior.alpha[a] > 0) || !(prior.beta[a] > 0) || !std::isfinite(prior.alpha[a]) ||
        !std::isfinite(prior.beta[a]))
      invalid_argument("Beta prior of item ", a, " must have alpha > 0 and beta > 0, got (",
                       prior.alpha[a], ", ", prior.beta[a], ")");
  if (L <= 0 || L > A) invalid_argument("positions must be in [1, ", A, "] (items), got ", L);
  if (n_sim <= 0) invalid_argument("Monte Carlo draws (n_sim) must be > 0, got ", n_sim);
  Rng rng(seed, hash_name("ope.bts"));
  std::vector<double> theta(A);
  std::vector<int> order(A);
  std::vector<int64_t> count(static_cast<size_t>(A) * L, 0);
  for (int s = 0; s < n_sim; ++s) {
    for (int a = 0; a < A; ++a) theta[a] = sample_beta(rng, prior.alpha[a], prior.beta[a]);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + L, order.end(), [&](int x, int y) {
      return theta[x] > theta[y] || (theta[x] == theta[y] && x < y);
    });
    for (int l = 0; l < L; ++l) ++count[static_cast<size_t>(order[l]) * L + l];
  }
  ActionDist d;
  d.n_actions = A;
  d.n_positions = L;
  d.p.resize(count.size());
  for (size_t k = 0; k < count.size(); ++k) d.p[k] = static_cast<double>(count[k]) / n_sim;
  return d;
}

ActionDist uniform_action_dist(int n_actions, int n_positions) {
  if (n_actions <= 0 || n_positions <= 0 || n_positions > n_actions)
    invalid_argument("uniform policy needs 1 <= positions <= actions, got ", n_positions,
                     " positions and ", n_actions, " actions");
  ActionDist d;
  d.n_actions = n_actions;
  d.n_positions = n_positions;
  d.p.assign(static_cast<size_t>(n_actions) * n_positions, 1.0 / n_actions);
  return d;
}

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = line.find(',', start);
    std::string f = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\r' || f.back() == '\t')) f.pop_back();
    size_t b = 0;
    while (b < f.size() && (f[b] == ' ' || f[b] == '\t')) ++b;
    out.push_back(f.substr(b));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

template <class T>
bool parse_number(const std::string& s, T& out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_error(ErrorCode::kNotFound, path, ": cannot open file");
  return in;
}

}  // namespace

ActionDist read_target_dist(const std::string& path, int n_actions, int n_positions) {
  std::ifstream in = open_or_throw(path);
  std::string line;
  if (!std::getline(in, line))
    invalid_argument(path, ":1: empty file; expected header item,position,prob");
  if (split_csv(line) != std::vector<std::string>{"item", "position", "prob"})
    invalid_argument(path, ":1: header must be exactly item,position,prob, got '", line, "'");
  ActionDist d;
  d.n_actions = n_actions;
  d.n_positions = n_positions;
  d.p.assign(static_cast<size_t>(n_actions) * n_positions, 0.0);
  std::vector<uint8_t> seen(d.p.size(), 0);
  std::vector<int64_t> last_line(n_positions, 0);
  int64_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv(line);
    if (f.size() != 3)
      invalid_argument(path, ":", lineno, ": expected 3 fields (item,position,prob), got ",
                       f.size());
    int64_t item = 0, pos = 0;
    double prob = 0;
    if (!parse_number(f[0], item))
      invalid_argument(path, ":", lineno, ": item '", f[0], "' is not an integer");
    if (!parse_number(f[1], pos))
      invalid_argument(path, ":", lineno, ": position '", f[1], "' is not an integer");
    if (!parse_number(f[2], prob))
      invalid_argument(path, ":", lineno, ": prob '", f[2], "' is not a number");
    if (item < 0 || item >= n_actions)
      invalid_argument(path, ":", lineno, ": unknown item ", item, "; the log's items are 0..",
                       n_actions - 1);
    if (pos < 0 || pos >= n_positions)
      invalid_argument(path, ":", lineno, ": position ", pos,
                       " out of range; positions are 0-based, 0..", n_positions - 1);
    if (!(prob >= 0.0 && prob <= 1.0))
      invalid_argument(path, ":", lineno, ": prob ", f[2], " must be in [0, 1]");
    const size_t k = static_cast<size_t>(item) * n_positions + pos;
    if (seen[k])
      invalid_argument(path, ":", lineno, ": duplicate (item ", item, ", position ", pos, ")");
    seen[k] = 1;
    d.p[k] = prob;
    last_line[pos] = lineno;
  }
  for (int l = 0; l < n_positions; ++l) {
    double sum = 0;
    for (int a = 0; a < n_actions; ++a) sum += d.p[static_cast<size_t>(a) * n_positions + l];
    if (std::abs(sum - 1.0) > 1e-6)
      invalid_argument(path, ":", last_line[l] ? last_line[l] : lineno,
                       ": probabilities of position ", l, " sum to ", sum,
                       ", must sum to 1 (within 1e-6)");
  }
  return d;
}

BetaPrior read_beta_prior(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  std::string line;
  if (!std::getline(in, line) ||
      split_csv(line) != std::vector<std::string>{"item", "alpha", "beta"})
    invalid_argument(path, ":1: header must be exactly item,alpha,beta");
  std::vector<std::pair<int64_t, std::pair<double, double>>> rows;
  int64_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv(line);
    int64_t item = 0;
    double a = 0, b = 0;
    if (f.size() != 3 || !parse_number(f[0], item) || !parse_number(f[1], a) ||
        !parse_number(f[2], b))
      invalid_argument(path, ":", lineno, ": expected item,alpha,beta (integer, number, number)");
    if (!(a > 0) || !(b > 0)) invalid_argument(path, ":", lineno, ": alpha and beta must be > 0");
    rows.push_back({item, {a, b}});
  }
  BetaPrior p;
  p.alpha.assign(rows.size(), 0.0);
  p.beta.assign(rows.size(), 0.0);
  for (const auto& [item, ab] : rows) {
    if (item < 0 || item >= static_cast<int64_t>(rows.size()) || p.alpha[item] != 0.0)
      invalid_argument(path, ": items must be 0..n-1, each once; item ", item, " breaks this");
    p.alpha[item] = ab.first;
    p.beta[item] = ab.second;
  }
  if (rows.empty()) invalid_argument(path, ": no items");
  return p;
}

ActionDist action_dist_from_policy(const sim::Policy& policy, const sim::Observation& obs) {
  const int N = obs.num_candidates, K = obs.slate_size;
  ActionDist d;
  d.n_actions = N;
  d.n_positions = K;
  d.per_round = true;
  d.p.assign(static_cast<size_t>(obs.batch) * N * K, 0.0);
  std::vector<double> probs(static_cast<size_t>(K) * N);
  for (int b = 0; b < obs.batch; ++b) {
    if (!obs.is_active(b)) continue;
    if (!policy.slot_probabilities(obs, b, probs.data()))
      throw_error(ErrorCode::kNotSupported, "policy '", policy.name(),
                  "' does not expose action probabilities (slot_probabilities); OPE needs them");
    for (int k = 0; k < K; ++k) {
      double sum = 0;
      for (int i = 0; i < N; ++i) {
        const double p = probs[static_cast<size_t>(k) * N + i];
        if (!(p >= 0 && p <= 1))
          invalid_argument("policy '", policy.name(), "' row ", b, " slot ", k, ": probability ", p,
                           " not in [0, 1]");
        sum += p;
        d.p[(static_cast<size_t>(b) * N + i) * K + k] = p;
      }
      if (std::abs(sum - 1.0) > 1e-6)
        invalid_argument("policy '", policy.name(), "' row ", b, " slot ", k,
                         ": probabilities sum to ", sum, ", must sum to 1");
    }
  }
  return d;
}

}  // namespace rlrec::ope
