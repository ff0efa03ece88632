#include "rlrec/train/tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "rlrec/core/check.h"
#include "rlrec/core/error.h"
#include "rlrec/eval/stats.h"

namespace rlrec::train {

std::string csv_cell(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

namespace {

const CompareAgentResult* find(const CompareResult& r, const std::string& label) {
  for (const auto& a : r.agents)
    if (a.spec.label == label) return &a;
  return nullptr;
}

double rel(double x, const CompareAgentResult* base) {
  if (!base || base->summary.mean == 0) return std::nan("");
  return (x - base->summary.mean) / std::abs(base->summary.mean);
}

}  // namespace

std::string reference_agent(const CompareResult& r) {
  if (!r.reference.empty()) return r.reference;
  const CompareAgentResult* best = nullptr;
  for (bool privileged : {false, true}) {
    for (const auto& a : r.agents)
      if (!a.learning && a.privileged == privileged &&
          (!best || a.summary.mean > best->summary.mean))
        best = &a;
    if (best) return best->spec.label;
  }
  return r.agents.empty() ? "" : r.agents.front().spec.label;
}

std::vector<PairedDifference> paired_differences(const CompareResult& r) {
  const std::string ref_label = reference_agent(r);
  const CompareAgentResult* ref = find(r, ref_label);
  RLREC_CHECK(ref != nullptr, "the reference agent is one of the compared agents");
  std::vector<PairedDifference> out;
  for (const auto& a : r.agents) {
    PairedDifference d;
    d.agent = a.spec.label;
    d.reference = ref_label;
    d.ci_low = d.ci_high = std::nan("");
    const size_t seeds = std::min(a.seed_episode_returns.size(), ref->seed_episode_returns.size());
    std::vector<double> per_seed, per_user;
    for (size_t s = 0; s < seeds; ++s) {
      const auto &x = a.seed_episode_returns[s], &y = ref->seed_episode_returns[s];
      RLREC_CHECK(x.size() == y.size(), "every agent of a seed is evaluated on the same users");
      double sum = 0;
      for (size_t u = 0; u < x.size(); ++u) {
        sum += x[u] - y[u];
        if (seeds == 1) per_user.push_back(x[u] - y[u]);
      }
      per_seed.push_back(x.empty() ? 0.0 : sum / static_cast<double>(x.size()));
    }
    if (!per_seed.empty()) d.mean = eval::summarize(per_seed).mean;
    if (&a != ref) {
      const auto& v = seeds >= 2 ? per_seed : per_user;
      d.pairs = static_cast<int64_t>(v.size());
      if (v.size() >= 2) {
        const auto s = eval::summarize(v, 0.95);
        d.has_ci = true;
        d.ci_low = s.ci_low;
        d.ci_high = s.ci_high;
        d.ci_over = seeds >= 2 ? "seeds" : "users";
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

Table paired_table(const CompareResult& r) {
  const auto diffs = paired_differences(r);
  const std::string ref = diffs.empty() ? "" : diffs.front().reference;
  Table t({"agent", "diff vs " + ref, "95% CI", "CI over", "pairs"});
  for (const auto& d : diffs) {
    if (d.agent == d.reference) {
      t.add_row({d.agent, fmt(0.0, 2), "-", "reference", "-"});
      continue;
    }
    t.add_row({d.agent, fmt(d.mean, 2),
               d.has_ci ? str_cat("[", fmt(d.ci_low, 2), ", ", fmt(d.ci_high, 2), "]") : "n/a",
               d.has_ci ? d.ci_over : "-", std::to_string(d.pairs)});
  }
  return t;
}

std::string leaderboard_csv(const CompareResult& r) {
  const bool offline = r.protocol == "offline";
  std::vector<std::string> header{"agent", "privileged", "learning", "seeds"};
  std::vector<std::string> metrics{"mean_return", "ctr", "mean_reward"};
  if (offline)
    for (const char* m : {"p@5", "p@10", "ndcg@5", "ndcg@10"}) metrics.push_back(m);
  for (const auto& m : metrics)
    for (const char* suffix : {"", "_ci_low", "_ci_high"}) header.push_back(m + suffix);
  for (const char* h :
       {"vs_random", "vs_myopic", "is_reference", "diff_vs_reference", "diff_vs_reference_ci_low",
        "diff_vs_reference_ci_high", "train_seconds", "train_env_steps", "updates",
        "updates_per_second", "train_env_steps_per_second", "eval_seconds"})
    header.push_back(h);
  Table t(header);
  const auto diffs = paired_differences(r);
  const CompareAgentResult *random = find(r, "random"), *myopic = find(r, "myopic");
  for (size_t i = 0; i < r.agents.size(); ++i) {
    const auto& a = r.agents[i];
    const auto& d = diffs[i];
    std::vector<std::string> row{a.spec.label, a.privileged ? "1" : "0", a.learning ? "1" : "0",
                                 std::to_string(a.seed_returns.size())};
    auto add = [&](const std::vector<double>& xs) {
      if (xs.empty()) {
        row.insert(row.end(), 3, "");
        return;
      }
      const auto s = eval::summarize(xs, 0.95);
      row.push_back(csv_cell(s.mean));
      row.push_back(xs.size() >= 2 ? csv_cell(s.ci_low) : "");
      row.push_back(xs.size() >= 2 ? csv_cell(s.ci_high) : "");
    };
    add(a.seed_returns);
    add(a.seed_ctr);
    add(a.seed_reward);
    if (offline)
      for (const auto* xs : {&a.seed_p5, &a.seed_p10, &a.seed_n5, &a.seed_n10}) add(*xs);
    const bool is_ref = d.agent == d.reference;
    const double ups = a.train_seconds > 0 ? a.updates / a.train_seconds : 0;
    const double sps = a.train_seconds > 0 ? a.train_steps / a.train_seconds : 0;
    for (auto c :
         {csv_cell(rel(a.summary.mean, random)), csv_cell(rel(a.summary.mean, myopic)),
          std::string(is_ref ? "1" : "0"), csv_cell(d.mean), csv_cell(d.ci_low),
          csv_cell(d.ci_high), csv_cell(a.train_seconds), std::to_string(a.train_steps),
          std::to_string(a.updates), csv_cell(ups), csv_cell(sps), csv_cell(a.eval_seconds)})
      row.push_back(std::move(c));
    t.add_row(std::move(row));
  }
  return t.to_csv();
}

}  // namespace rlrec::train
