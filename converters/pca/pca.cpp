#include "pca/pca.hpp"

#include <Eigen/SVD>
#include <stdexcept>
#include <string>

namespace edgeae::pca {

Fit fit(const std::vector<float>& data, uint32_t samples, uint32_t dims, uint32_t components) {
  if (samples == 0 || dims == 0 || data.size() != size_t(samples) * dims)
    throw std::invalid_argument("data must be a non-empty [N, D] array");
  const uint32_t max_k = samples < dims ? samples : dims;
  if (components == 0 || components > max_k)
    throw std::invalid_argument("--components must be between 1 and min(N, D) = " +
                                std::to_string(max_k));
  // In double: the SVD of the centered data gives the principal directions
  // (right singular vectors) and their variances (s^2 / (N - 1)).
  Eigen::MatrixXd x(samples, dims);
  for (uint32_t i = 0; i < samples; ++i)
    for (uint32_t j = 0; j < dims; ++j) x(i, j) = data[size_t(i) * dims + j];
  const Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;
  Eigen::BDCSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinV);
  Fit f;
  f.dims = dims;
  f.count = components;
  f.mean.assign(mean.data(), mean.data() + dims);
  f.components.resize(size_t(components) * dims);
  const Eigen::MatrixXd& v = svd.matrixV();
  for (uint32_t k = 0; k < components; ++k) {
    // Sign convention: the largest-magnitude entry of each direction is
    // positive, so the same data always gives the same blob.
    Eigen::Index at = 0;
    v.col(k).cwiseAbs().maxCoeff(&at);
    const double sign = v(at, k) < 0 ? -1.0 : 1.0;
    for (uint32_t j = 0; j < dims; ++j)
      f.components[size_t(k) * dims + j] = static_cast<float>(sign * v(j, k));
    const double s = svd.singularValues()(k);
    f.explained_variance.push_back(samples > 1 ? s * s / (samples - 1) : 0.0);
  }
  for (Eigen::Index k = 0; k < svd.singularValues().size(); ++k) {
    const double s = svd.singularValues()(k);
    f.total_variance += samples > 1 ? s * s / (samples - 1) : 0.0;
  }
  return f;
}

blob::Blob to_blob(const Fit& f, const std::vector<uint32_t>& sample_shape) {
  uint64_t d = 1;
  for (uint32_t s : sample_shape) d *= s;
  if (d != f.dims) throw std::invalid_argument("sample shape does not match the fit");
  const uint32_t k_count = f.count, dims = f.dims;
  // Encoder B = V_K [D, K]; decoder B = V_K^T [K, D]; biases -mean V_K and mean.
  std::vector<float> enc(size_t(dims) * k_count), dec(size_t(k_count) * dims);
  std::vector<float> enc_bias(k_count, 0.0f);
  for (uint32_t k = 0; k < k_count; ++k) {
    double dot = 0;
    for (uint32_t j = 0; j < dims; ++j) {
      const float c = f.components[size_t(k) * dims + j];
      enc[size_t(j) * k_count + k] = c;
      dec[size_t(k) * dims + j] = c;
      dot += double(c) * f.mean[j];
    }
    enc_bias[k] = static_cast<float>(-dot);
  }
  blob::GraphBuilder g;
  std::vector<uint32_t> in_dims = {1};
  in_dims.insert(in_dims.end(), sample_shape.begin(), sample_shape.end());
  const uint32_t x = g.input("x", in_dims);
  const uint32_t flat = in_dims.size() == 2 ? x : g.view(x, {1, dims}, "flatten");
  const uint32_t z = g.dense(flat, g.constant("encoder", {dims, k_count}, enc),
                             g.constant("encoder.bias", {k_count}, enc_bias), false);
  const uint32_t r = g.dense(z, g.constant("decoder", {k_count, dims}, dec),
                             g.constant("mean", {dims}, f.mean), false);
  g.output(in_dims.size() == 2 ? r : g.view(r, in_dims, "reconstruction"), "reconstruction");
  return g.build();
}

}  // namespace edgeae::pca
