// PCA as the linear autoencoder: fit on data by SVD, emit a blob that runs
// anywhere a trained autoencoder runs.
//
//   encoder  z = (x - mean) V_K      (K components, V_K is D x K)
//   decoder  r = z V_K^T + mean
//
// The mean subtraction folds into the encoder's bias (-mean V_K), so the blob
// is two Dense ops: [1, D] -> [1, K] -> [1, D] (inputs of any rank are
// flattened by a free view and the output takes the input's shape).
#pragma once

#include <cstdint>
#include <vector>

#include "blob/graph_builder.hpp"

namespace edgeae::pca {

struct Fit {
  std::vector<float> mean;                 // [D]
  std::vector<float> components;           // [K, D], row k = k-th principal direction
  std::vector<double> explained_variance;  // [K], sample variance along each
  double total_variance = 0;               // of the data (all directions)
  uint32_t dims = 0, count = 0;
};

// Fits K components to `data` ([N, D] row-major, N samples). Throws
// std::invalid_argument when K is 0 or exceeds min(N, D), or data is empty.
Fit fit(const std::vector<float>& data, uint32_t samples, uint32_t dims, uint32_t components);

// The linear autoencoder blob; `sample_shape` is the shape of one sample
// (its product is D), the blob's input and output are [1, sample_shape...].
blob::Blob to_blob(const Fit& fit, const std::vector<uint32_t>& sample_shape);

}  // namespace edgeae::pca
