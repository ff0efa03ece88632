// MatrixView: the one batch convention of rlrec. A batch of `rows` vectors of dimension `cols` is
// one contiguous row-major buffer; row i starts at data + i * cols. Non-owning; the owner outlives
// it.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace rlrec {

template <class T>
struct MatrixView {
  T* data = nullptr;
  size_t rows = 0;
  size_t cols = 0;

  MatrixView() = default;
  MatrixView(T* d, size_t r, size_t c) : data(d), rows(r), cols(c) {}
  // A view of const T from a view of T.
  template <class U>
  MatrixView(const MatrixView<U>& o) : data(o.data), rows(o.rows), cols(o.cols) {}

  T* row(size_t i) const { return data + i * cols; }
  std::span<T> row_span(size_t i) const { return {data + i * cols, cols}; }
  T& operator()(size_t i, size_t j) const { return data[i * cols + j]; }
  size_t size() const { return rows * cols; }
  bool empty() const { return rows == 0 || cols == 0; }
};

// An owning row-major matrix that hands out MatrixViews.
template <class T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(size_t rows, size_t cols, T fill = T())
      : rows_(rows), cols_(cols), data_(rows * cols, fill) {}
  void resize(size_t rows, size_t cols, T fill = T()) {
    rows_ = rows;
    cols_ = cols;
    data_.assign(rows * cols, fill);
  }
  MatrixView<T> view() { return {data_.data(), rows_, cols_}; }
  MatrixView<const T> view() const { return {data_.data(), rows_, cols_}; }
  T* row(size_t i) { return data_.data() + i * cols_; }
  const T* row(size_t i) const { return data_.data() + i * cols_; }
  T& operator()(size_t i, size_t j) { return data_[i * cols_ + j]; }
  const T& operator()(size_t i, size_t j) const { return data_[i * cols_ + j]; }
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  std::vector<T>& storage() { return data_; }
  const std::vector<T>& storage() const { return data_; }

 private:
  size_t rows_ = 0, cols_ = 0;
  std::vector<T> data_;
};

}  // namespace rlrec
