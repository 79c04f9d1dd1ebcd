// The part of an XNNPACK peer network that does not depend on the data type:
// the created operators (run in order, deleted at the end), the padded
// buffers they read and write, and the first error met while building.
#pragma once

#include <xnnpack.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"

namespace edgeae::bench {

class XnnOperators {
 public:
  XnnOperators() = default;
  XnnOperators(const XnnOperators&) = delete;
  XnnOperators& operator=(const XnnOperators&) = delete;
  ~XnnOperators() {
    for (xnn_operator_t op : ops_) xnn_delete_operator(op);
  }

  bool run() {
    for (xnn_operator_t op : ops_)
      if (xnn_run_operator(op, nullptr) != xnn_status_success) return false;
    return true;
  }

  std::string error;

 protected:
  // Zeroed bytes padded by XNN_EXTRA_BYTES (XNNPACK's kernels may read past
  // the end of their inputs).
  AlignedBytes& buffer(size_t bytes) {
    buffers_.push_back(std::make_unique<AlignedBytes>(bytes + XNN_EXTRA_BYTES));
    return *buffers_.back();
  }
  // Keeps `op` (when created) for run() and the destructor.
  bool check(xnn_status s, const char* what, xnn_operator_t op = nullptr) {
    if (op != nullptr) ops_.push_back(op);
    if (s == xnn_status_success) return true;
    if (error.empty()) error = std::string(what) + " failed (status " + std::to_string(s) + ")";
    return false;
  }

  std::mt19937 rng_{kWeightSeed};

 private:
  std::vector<std::unique_ptr<AlignedBytes>> buffers_;
  std::vector<xnn_operator_t> ops_;
};

}  // namespace edgeae::bench
