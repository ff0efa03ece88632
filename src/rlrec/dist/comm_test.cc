// dist::Communicator: the job of one rank, and (the same binary under `mpirun -np 2`, ctest
// Dist.Mpi2) Open MPI's. Every test holds for any number of ranks.
#include "rlrec/dist/comm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

namespace rlrec::dist {
namespace {

TEST(Dist, AllReduceSumsInRankOrderOnEveryRank) {
  auto& c = world();
  std::vector<double> d{1.0 + c.rank(), 0.1 * c.rank()};
  std::vector<int64_t> i{c.rank() + 1, -1};
  c.all_reduce_sum(d);
  c.all_reduce_sum(i);
  double want0 = 0, want1 = 0;
  for (int r = 0; r < c.size(); ++r) {
    want0 += 1.0 + r;
    want1 += 0.1 * r;
  }
  EXPECT_EQ(d[0], want0);
  EXPECT_EQ(d[1], want1);  // bitwise: the same order on every rank
  EXPECT_EQ(i[0], int64_t{c.size()} * (c.size() + 1) / 2);
  EXPECT_EQ(i[1], -c.size());
}

TEST(Dist, BroadcastGatherAndAllGather) {
  auto& c = world();
  std::string b = c.rank() == 0 ? "from root" : "";
  c.broadcast(b, 0);
  EXPECT_EQ(b, "from root");
  const std::string mine(static_cast<size_t>(c.rank()) + 1, static_cast<char>('a' + c.rank()));
  const auto all = c.all_gather(mine);
  ASSERT_EQ(all.size(), static_cast<size_t>(c.size()));
  for (int r = 0; r < c.size(); ++r)
    EXPECT_EQ(all[r], std::string(static_cast<size_t>(r) + 1, static_cast<char>('a' + r)));
  const auto at_root = c.gather(mine, 0);
  EXPECT_EQ(at_root.size(), c.rank() == 0 ? all.size() : 0u);
  if (c.rank() == 0) {
    EXPECT_EQ(at_root, all);
  }
  c.barrier();
}

TEST(Dist, SharedCounterHandsOutEveryValueOnceOverRanksAndThreads) {
  auto& c = world();
  constexpr int64_t kN = 200;
  std::vector<int64_t> got;
  {
    auto counter = c.make_counter();
    std::vector<std::vector<int64_t>> per_thread(3);
    std::vector<std::thread> threads;
    for (auto& v : per_thread)
      threads.emplace_back([&counter, &v] {
        for (int64_t k; (k = counter->fetch_add(1)) < kN;) v.push_back(k);
      });
    for (auto& t : threads) t.join();
    for (auto& v : per_thread) got.insert(got.end(), v.begin(), v.end());
  }
  ByteWriter w;
  w.put_vector(got);
  const auto all = c.all_gather(w.bytes());
  std::vector<int64_t> every;
  for (const auto& bytes : all) {
    ByteReader r(bytes);
    const auto v = r.get_vector<int64_t>();
    every.insert(every.end(), v.begin(), v.end());
    EXPECT_TRUE(r.done());
  }
  std::sort(every.begin(), every.end());
  std::vector<int64_t> want(kN);
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(every, want);
}

TEST(Dist, BlockSumsDoNotDependOnTheRanks) {
  auto& c = world();
  constexpr int64_t kBlocks = 7;
  auto block = [](int64_t b) { return std::vector<double>{1.0 / (b + 3), b * 1e-17 + 0.1}; };
  std::vector<double> want(2, 0.0);
  for (int64_t b = 0; b < kBlocks; ++b)
    for (int j = 0; j < 2; ++j) want[j] += block(b)[j];
  const auto [begin, end] = share(kBlocks, c.size(), c.rank());
  std::vector<double> mine;
  for (int64_t b = begin; b < end; ++b)
    for (double x : block(b)) mine.push_back(x);
  EXPECT_EQ(sum_blocks(c, mine, 2), want);
}

TEST(Dist, ShareSplitsContiguouslyLargerFirst) {
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(share(10, 3, 0), P(0, 4));
  EXPECT_EQ(share(10, 3, 1), P(4, 7));
  EXPECT_EQ(share(10, 3, 2), P(7, 10));
  EXPECT_EQ(share(1, 2, 1), P(1, 1));
}

TEST(Dist, ByteStringsRoundTrip) {
  ByteWriter w;
  w.put<double>(std::nan(""));
  w.put_string("x y");
  w.put_vector(std::vector<int32_t>{3, -4});
  ByteReader r(w.bytes());
  EXPECT_TRUE(std::isnan(r.get<double>()));
  EXPECT_EQ(r.get_string(), "x y");
  EXPECT_EQ(r.get_vector<int32_t>(), (std::vector<int32_t>{3, -4}));
  EXPECT_TRUE(r.done());
}

}  // namespace
}  // namespace rlrec::dist

int main(int argc, char** argv) {
  rlrec::dist::Session session(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  // Under mpirun only rank 0 prints the results (every rank runs every test).
  if (rlrec::dist::world().rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  return RUN_ALL_TESTS();
}
