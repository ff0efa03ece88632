#include "rlrec/dist/comm.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "rlrec/core/check.h"
#include "rlrec/dist/detail.h"

namespace rlrec::dist {
namespace {

class AtomicCounter final : public SharedCounter {
 public:
  int64_t fetch_add(int64_t n) override { return value_.fetch_add(n); }

 private:
  std::atomic<int64_t> value_{0};
};

// The job of one rank: every collective is a copy.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_size() const override { return 1; }
  void barrier() override {}
  void broadcast(std::string&, int root) override { RLREC_CHECK(root == 0); }
  std::vector<std::string> all_gather(const std::string& bytes) override { return {bytes}; }
  std::vector<std::string> gather(const std::string& bytes, int root) override {
    RLREC_CHECK(root == 0);
    return {bytes};
  }
  std::unique_ptr<SharedCounter> make_counter() override {
    return std::make_unique<AtomicCounter>();
  }
  [[noreturn]] void abort(const std::string& message, int code) override {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    std::fflush(stderr);
    std::exit(code);
  }
};

template <class T>
void reduce_in_rank_order(Communicator& comm, std::span<T> values) {
  if (comm.size() == 1) return;
  ByteWriter w;
  w.put_vector(std::vector<T>(values.begin(), values.end()));
  const auto all = comm.all_gather(w.bytes());
  std::fill(values.begin(), values.end(), T{0});
  for (const auto& bytes : all) {  // rank order
    ByteReader r(bytes);
    const auto v = r.get_vector<T>();
    RLREC_CHECK(v.size() == values.size());
    for (size_t i = 0; i < v.size(); ++i) values[i] += v[i];
  }
}

}  // namespace

void Communicator::all_reduce_sum(std::span<double> values) { reduce_in_rank_order(*this, values); }
void Communicator::all_reduce_sum(std::span<int64_t> values) {
  reduce_in_rank_order(*this, values);
}

Communicator& world() {
  static SingleProcess single;
  if (Communicator* c = detail::mpi_world()) return *c;
  return single;
}

Session::Session(int& argc, char**& argv) {
  if (detail::launched_by_mpi()) mpi_ = detail::start_mpi(argc, argv);
}

Session::~Session() {
  if (mpi_) detail::stop_mpi();
}

std::pair<int64_t, int64_t> share(int64_t n, int parts, int r) {
  RLREC_CHECK(parts >= 1 && r >= 0 && r < parts && n >= 0);
  const int64_t base = n / parts, extra = n % parts;
  const int64_t begin = r * base + std::min<int64_t>(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

std::vector<double> sum_blocks(Communicator& comm, std::span<const double> my_blocks, int width) {
  RLREC_CHECK(width >= 1 && my_blocks.size() % static_cast<size_t>(width) == 0);
  std::vector<std::string> all;
  if (comm.size() == 1) {
    ByteWriter w;
    w.put_vector(std::vector<double>(my_blocks.begin(), my_blocks.end()));
    all.push_back(std::move(w.bytes()));
  } else {
    ByteWriter w;
    w.put_vector(std::vector<double>(my_blocks.begin(), my_blocks.end()));
    all = comm.all_gather(w.bytes());
  }
  std::vector<double> sum(static_cast<size_t>(width), 0.0);
  for (const auto& bytes : all) {  // rank order = block order (share() is contiguous)
    ByteReader r(bytes);
    const auto v = r.get_vector<double>();
    for (size_t i = 0; i < v.size(); ++i) sum[i % static_cast<size_t>(width)] += v[i];
  }
  return sum;
}

bool built_with_mpi() {
#ifdef RLREC_HAVE_MPI
  return true;
#else
  return false;
#endif
}

const char* ByteReader::take(size_t n) {
  RLREC_CHECK(n <= bytes_.size() - pos_);
  const char* p = bytes_.data() + pos_;
  pos_ += n;
  return p;
}

namespace detail {

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (const char* s = std::getenv(v); s && *s) return true;
  return false;
}

#ifndef RLREC_HAVE_MPI
bool start_mpi(int&, char**&) { return false; }
void stop_mpi() {}
Communicator* mpi_world() { return nullptr; }
#endif

}  // namespace detail
}  // namespace rlrec::dist
