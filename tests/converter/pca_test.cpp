// edgeae pca: the linear autoencoder blob against an independent SVD
// (Eigen's JacobiSVD, not the BDCSVD the fit uses), on training data.
#include "pca/pca.hpp"

#include <doctest/doctest.h>

#include <Eigen/SVD>
#include <cmath>
#include <random>
#include <stdexcept>

#include "convert.hpp"
#include "runtime/test_models.hpp"

namespace edgeae {
namespace {

// Runs every sample of `data` ([N, D]) through the blob.
std::vector<float> reconstruct(const blob::Blob& b, const std::vector<float>& data, uint32_t dims) {
  Model m = testing::load_or_fail(b);
  std::vector<uint8_t> arena(m.arena_bytes());
  Session s;
  REQUIRE(s.init(m, arena.data(), arena.size()).ok());
  std::vector<float> out(data.size());
  for (size_t i = 0; i < data.size() / dims; ++i) {
    REQUIRE(s.set_input(0, data.data() + i * dims, dims).ok());
    REQUIRE(s.run().ok());
    REQUIRE(s.get_output(0, out.data() + i * dims, dims).ok());
  }
  return out;
}

// x_hat = mean + (x - mean) V_K V_K^T, computed in double with JacobiSVD.
std::vector<double> reference_reconstruction(const std::vector<float>& data, uint32_t n,
                                             uint32_t dims, uint32_t k) {
  Eigen::MatrixXd x(n, dims);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t j = 0; j < dims; ++j) x(i, j) = data[size_t(i) * dims + j];
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Eigen::MatrixXd centered = x.rowwise() - mean;
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(centered, Eigen::ComputeThinV);
  const Eigen::MatrixXd v = svd.matrixV().leftCols(k);
  const Eigen::MatrixXd r = (centered * v * v.transpose()).rowwise() + mean;
  std::vector<double> out(size_t(n) * dims);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t j = 0; j < dims; ++j) out[size_t(i) * dims + j] = r(i, j);
  return out;
}

TEST_CASE("pca: the blob reconstructs its training data as an SVD does, to 1e-5") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (auto [n, dims, k] : {std::tuple<uint32_t, uint32_t, uint32_t>{200, 3, 2},
                            {300, 16, 4},
                            {64, 64, 10},
                            {50, 300, 7}}) {
    std::vector<float> data(size_t(n) * dims);
    for (float& v : data) v = u(rng);
    const pca::Fit f = pca::fit(data, n, dims, k);
    const std::vector<float> got = reconstruct(pca::to_blob(f, {dims}), data, dims);
    const std::vector<double> want = reference_reconstruction(data, n, dims, k);
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
    MESSAGE("pca N=", n, " D=", dims, " K=", k, ": max |blob - SVD| = ", worst);
    CHECK(worst <= 1e-5);
  }
}

TEST_CASE("pca: all components reproduce the data; uniform 3-D data with 2 keeps 1/36 error") {
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const uint32_t n = 4000, dims = 3;
  std::vector<float> data(size_t(n) * dims);
  for (float& v : data) v = u(rng);
  const std::vector<float> full =
      reconstruct(pca::to_blob(pca::fit(data, n, dims, 3), {dims}), data, dims);
  for (size_t i = 0; i < data.size(); ++i) CHECK(full[i] == doctest::Approx(data[i]).epsilon(1e-5));
  // Dropping one of three equal-variance axes of U[0,1]^3 leaves the variance
  // of one axis, 1/12, spread over three outputs: MSE 1/36 in expectation.
  const std::vector<float> two =
      reconstruct(pca::to_blob(pca::fit(data, n, dims, 2), {dims}), data, dims);
  double mse = 0;
  for (size_t i = 0; i < data.size(); ++i) mse += (two[i] - data[i]) * (two[i] - data[i]);
  mse /= double(data.size());
  MESSAGE("uniform 3-D, K = 2: MSE ", mse, " (1/36 = ", 1.0 / 36, ")");
  CHECK(mse == doctest::Approx(1.0 / 36).epsilon(0.10));
}

TEST_CASE("pca: int8 and int16 blobs, calibrated on the data, reconstruct it like the float one") {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const uint32_t n = 2000, dims = 3;
  std::vector<float> data(size_t(n) * dims);
  for (float& v : data) v = u(rng);
  const blob::Blob f = pca::to_blob(pca::fit(data, n, dims, 2), {dims});
  auto mse_of = [&](const blob::Blob& b) {
    const std::vector<float> out = reconstruct(b, data, dims);
    double mse = 0;
    for (size_t i = 0; i < data.size(); ++i) mse += (out[i] - data[i]) * (out[i] - data[i]);
    return mse / double(data.size());
  };
  const double float_mse = mse_of(f);
  for (auto p : {convert::Precision::kInt8, convert::Precision::kInt16}) {
    const convert::QuantizedModel q = convert::convert_quantized(f, {data.data(), n}, p, {});
    const double mse = mse_of(q.blob);
    MESSAGE(std::string(p == convert::Precision::kInt8 ? "int8" : "int16"), " PCA MSE ", mse,
            " vs float ", float_mse);
    CHECK(mse == doctest::Approx(float_mse).epsilon(p == convert::Precision::kInt8 ? 0.05 : 1e-3));
  }
}

TEST_CASE("pca: samples of any shape keep their shape; bad component counts are errors") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> data(size_t(40) * 16);
  for (float& v : data) v = u(rng);
  const pca::Fit f = pca::fit(data, 40, 16, 5);
  const blob::Blob b = pca::to_blob(f, {1, 4, 4});
  Model m = testing::load_or_fail(b);
  CHECK(m.input(0).rank == 4);
  CHECK(m.output(0).rank == 4);
  CHECK(m.output(0).dims[2] == 4);
  CHECK(reconstruct(b, data, 16) == reconstruct(pca::to_blob(f, {16}), data, 16));
  // The same data gives the same directions (a fixed sign convention).
  CHECK(pca::fit(data, 40, 16, 5).components == f.components);
  CHECK_THROWS_AS(pca::fit(data, 40, 16, 0), std::invalid_argument);
  CHECK_THROWS_AS(pca::fit(data, 40, 16, 17), std::invalid_argument);
  CHECK_THROWS_AS(pca::fit({}, 0, 16, 1), std::invalid_argument);
  CHECK_THROWS_AS(pca::to_blob(f, {3, 5}), std::invalid_argument);
}

}  // namespace
}  // namespace edgeae
