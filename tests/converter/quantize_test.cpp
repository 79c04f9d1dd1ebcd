// Post-training quantization end to end: the shipped models in int8, int16
// and mixed against their float model on held-out inputs, the denoising
// gain kept, the converter's errors, and the loader's checks of hostile
// integer parameters.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "convert.hpp"
#include "io/npy.hpp"
#include "runtime/test_models.hpp"

namespace edgeae {
namespace {

using format::DType;
using format::OpType;

std::string model_file(const std::string& f) {
  return std::string(EDGEAE_SOURCE_DIR) + "/models/" + f;
}

struct Split {
  std::vector<float> calibration, held_out;
  size_t calibration_count = 0, held_out_count = 0;
};
// The first half calibrates, the second half is held out.
Split split(const io::NpyArray& a, size_t per_sample) {
  const size_t n = a.data.size() / per_sample, half = n / 2;
  Split s;
  s.calibration.assign(a.data.begin(), a.data.begin() + half * per_sample);
  s.held_out.assign(a.data.begin() + half * per_sample, a.data.end());
  s.calibration_count = half;
  s.held_out_count = n - half;
  return s;
}

std::vector<float> run_all(const blob::Blob& b, const std::vector<float>& in, size_t count) {
  Model m;
  REQUIRE(m.load(b.bytes.data(), b.bytes.size()).ok());
  std::vector<uint8_t> arena(m.arena_bytes());
  Session s;
  REQUIRE(s.init(m, arena.data(), arena.size()).ok());
  const size_t in_n = m.input(0).element_count(), out_n = m.output(0).element_count();
  std::vector<float> out(count * out_n);
  for (size_t i = 0; i < count; ++i) {
    REQUIRE(s.set_input(0, in.data() + i * in_n, in_n).ok());
    REQUIRE(s.run().ok());
    REQUIRE(s.get_output(0, out.data() + i * out_n, out_n).ok());
  }
  return out;
}

double snr_db(const std::vector<float>& ref, const std::vector<float>& x) {
  double s = 0, n = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    s += double(ref[i]) * ref[i];
    n += (double(ref[i]) - x[i]) * (double(ref[i]) - x[i]);
  }
  return 10 * std::log10(s / n);
}
double psnr_db(const std::vector<float>& ref, const std::vector<float>& x) {
  double mse = 0;
  for (size_t i = 0; i < ref.size(); ++i) mse += (double(ref[i]) - x[i]) * (double(ref[i]) - x[i]);
  return 10 * std::log10(1.0 / (mse / double(ref.size())));
}

struct Quantized {
  blob::Blob blob;
  quant::SnrReport report;
};
Quantized quantize_file(const std::string& onnx, const Split& s, convert::Precision p,
                        double target = 30.0, bool int16_weights = true) {
  const blob::Blob f = convert::float_blob_for_quantization_file(model_file(onnx));
  quant::QuantizeOptions o;
  o.target_snr_db = target;
  o.int16_weights = int16_weights;
  auto q = convert::convert_quantized(f, {s.calibration.data(), s.calibration_count}, p, o);
  return {q.blob, q.report};
}

size_t count_ops(const blob::Blob& b, OpType type) {
  Model m;
  REQUIRE(m.load(b.bytes.data(), b.bytes.size()).ok());
  size_t n = 0;
  for (uint32_t i = 0; i < m.op_count(); ++i) n += m.op(i).type == static_cast<uint16_t>(type);
  return n;
}

TEST_CASE("quantize: the digits denoiser keeps its SNR and denoising gain on held-out digits") {
  const io::NpyArray noisy = io::read_npy(model_file("digits_dae/test_noisy.npy"));
  const io::NpyArray clean = io::read_npy(model_file("digits_dae/test_clean.npy"));
  const Split s = split(noisy, 64), c = split(clean, 64);
  const blob::Blob f = convert::convert_onnx_file(model_file("digits_dae/digits_dae.onnx"));
  const std::vector<float> float_out = run_all(f, s.held_out, s.held_out_count);
  const double float_gain = psnr_db(c.held_out, float_out) - psnr_db(c.held_out, s.held_out);
  REQUIRE(float_gain > 1.0);
  struct Case {
    const char* what;
    convert::Precision precision;
    bool int16_weights;
    double min_snr, min_gain_fraction;
  };
  // The figures: int8 >= 30 dB and 95% of the gain; int16 >= 50 dB
  // and 99.5%. 16x8 (int8 weights) cannot reach 50 dB: int8 weight rounding
  // alone is ~43 dB per layer; it must still beat int8.
  const Case cases[] = {{"int8", convert::Precision::kInt8, false, 30.0, 0.95},
                        {"int16 (16x16)", convert::Precision::kInt16, true, 50.0, 0.995},
                        {"int16 (16x8)", convert::Precision::kInt16, false, 35.0, 0.995}};
  double snr8 = 0;
  for (const Case& k : cases) {
    const Quantized q =
        quantize_file("digits_dae/digits_dae.onnx", s, k.precision, 30.0, k.int16_weights);
    const std::vector<float> out = run_all(q.blob, s.held_out, s.held_out_count);
    const double snr = snr_db(float_out, out);
    const double gain = psnr_db(c.held_out, out) - psnr_db(c.held_out, s.held_out);
    MESSAGE(k.what, ": held-out SNR vs float ", snr, " dB, gain ", gain, " dB (float ", float_gain,
            ")");
    CHECK(snr >= k.min_snr);
    CHECK(gain >= k.min_gain_fraction * float_gain);
    if (k.precision == convert::Precision::kInt8)
      snr8 = snr;
    else
      CHECK(snr > snr8);
  }
}

TEST_CASE("quantize: conv AE and 1-D U-Net run in int8 and int16; int16 is closer to float") {
  for (const char* file : {"conv2d_ae/conv2d_ae.onnx", "unet1d/unet1d.onnx"}) {
    const std::string name = file;
    CAPTURE(name);
    const std::string dir = name.substr(0, name.find('/'));
    const io::NpyArray in = io::read_npy(model_file(dir + "/test_input.npy"));
    const blob::Blob f = convert::convert_onnx_file(model_file(name));
    Model fm;
    REQUIRE(fm.load(f.bytes.data(), f.bytes.size()).ok());
    const Split s = split(in, fm.input(0).element_count());
    const std::vector<float> float_out = run_all(f, s.held_out, s.held_out_count);
    const double s8 =
        snr_db(float_out, run_all(quantize_file(name, s, convert::Precision::kInt8).blob,
                                  s.held_out, s.held_out_count));
    const double s16 =
        snr_db(float_out, run_all(quantize_file(name, s, convert::Precision::kInt16).blob,
                                  s.held_out, s.held_out_count));
    const double s16x8 = snr_db(
        float_out, run_all(quantize_file(name, s, convert::Precision::kInt16, 30, false).blob,
                           s.held_out, s.held_out_count));
    MESSAGE(name, ": held-out SNR int8 ", s8, " dB, int16 ", s16, " dB, 16x8 ", s16x8, " dB");
    CHECK(s8 >= 20.0);
    CHECK(s16 >= 50.0);
    // 16x8 keeps int8 weights: their rounding bounds the gain of int16 data.
    CHECK(s16x8 > s8);
  }
}

TEST_CASE("quantize: mixed reaches its target with int16 where needed and Requantize between") {
  const io::NpyArray in = io::read_npy(model_file("unet1d/test_input.npy"));
  const Split s = split(in, 256);
  const Quantized q8 = quantize_file("unet1d/unet1d.onnx", s, convert::Precision::kInt8);
  const Quantized mixed = quantize_file("unet1d/unet1d.onnx", s, convert::Precision::kMixed,
                                        q8.report.output_snr_db + 3.0);
  CHECK(mixed.report.output_snr_db >= q8.report.output_snr_db + 3.0);
  size_t int16_layers = 0;
  for (const auto& l : mixed.report.layers) int16_layers += l.precision == DType::kInt16;
  CHECK(int16_layers > 0);
  CHECK(int16_layers < mixed.report.layers.size());
  CHECK(count_ops(mixed.blob, OpType::kRequantize) > 0);
  // A target int8 already meets changes nothing.
  const Quantized easy = quantize_file("unet1d/unet1d.onnx", s, convert::Precision::kMixed,
                                       q8.report.output_snr_db - 1.0);
  CHECK(easy.blob.bytes == q8.blob.bytes);
}

TEST_CASE("quantize: bad calibration data is a clear error") {
  const blob::Blob f =
      convert::float_blob_for_quantization_file(model_file("digits_dae/digits_dae.onnx"));
  std::vector<float> bad(64, 0.5f);
  bad[3] = INFINITY;
  CHECK_THROWS_WITH_AS(
      convert::convert_quantized(f, {bad.data(), 1}, convert::Precision::kInt8, {}),
      doctest::Contains("not finite"), ir::ConvertError);
  CHECK_THROWS_WITH_AS(
      convert::convert_quantized(f, {bad.data(), 0}, convert::Precision::kInt8, {}),
      doctest::Contains("no samples"), ir::ConvertError);
}

// Patches one int32 word of op `op`'s quant tensor, reseals, and loads.
Status load_with_quant_word(std::vector<uint8_t> bytes, uint32_t op, uint32_t word, int32_t value) {
  Model m;
  REQUIRE(m.load(bytes.data(), bytes.size()).ok());
  const format::TensorRecord& q = m.tensor(m.op(op).quant);
  const size_t at = static_cast<size_t>(m.constant_data(q) - bytes.data()) + word * 4;
  std::memcpy(bytes.data() + at, &value, 4);
  blob::reseal(bytes);
  Model again;
  return again.load(bytes.data(), bytes.size());
}

TEST_CASE("quantize: the loader rejects integer parameters outside the kernels' proven ranges") {
  const io::NpyArray noisy = io::read_npy(model_file("digits_dae/test_noisy.npy"));
  const Split s = split(noisy, 64);
  for (auto p : {convert::Precision::kInt8, convert::Precision::kInt16}) {
    const blob::Blob b = quantize_file("digits_dae/digits_dae.onnx", s, p).blob;
    Model m;
    REQUIRE(m.load(b.bytes.data(), b.bytes.size()).ok());
    REQUIRE(m.op(0).type == static_cast<uint16_t>(OpType::kDense));
    const uint32_t channels = m.tensor(m.op(0).output).dims[1];
    // QuantLayer: in_zp, out_zp, act_min, act_max, count, mult[count], shift[count].
    const uint32_t shift0 = 5 + channels;
    struct Case {
      uint32_t word;
      int32_t value;
      const char* what;
    };
    const Case cases[] = {
        {0, 99, "input zero point differs from the tensor's"},
        {1, 1000, "output zero point out of range"},
        {3, -40000, "clamp max below the type"},
        {3, 40000, "clamp beyond the type"},
        {4, 3, "channel count neither 1 nor Cout"},
        {shift0, 31, "shift 31"},
        {shift0, -32, "shift -32"},
    };
    for (const Case& c : cases) {
      const std::string what = c.what;
      CAPTURE(what);
      const Status st = load_with_quant_word(b.bytes, 0, c.word, c.value);
      CHECK_FALSE(st.ok());
      CHECK(st.index == 0);
    }
    if (p == convert::Precision::kInt16) {
      CHECK_FALSE(load_with_quant_word(b.bytes, 0, shift0, 8).ok());  // 64-bit requant: <= 7
      CHECK_FALSE(load_with_quant_word(b.bytes, 0, 5, -5).ok());      // negative multiplier
    }
    CHECK(load_with_quant_word(b.bytes, 0, shift0, -3).ok());  // in range: accepted
  }
}

TEST_CASE("quantize: a bias that could overflow the accumulator is rejected at load") {
  const io::NpyArray noisy = io::read_npy(model_file("digits_dae/test_noisy.npy"));
  const Split s = split(noisy, 64);
  std::vector<uint8_t> bytes =
      quantize_file("digits_dae/digits_dae.onnx", s, convert::Precision::kInt8).blob.bytes;
  Model m;
  REQUIRE(m.load(bytes.data(), bytes.size()).ok());
  const format::TensorRecord& bias = m.tensor(m.op(0).inputs[2]);
  REQUIRE(bias.dtype == static_cast<uint8_t>(DType::kInt32));
  const int32_t huge = 2147000000;
  std::memcpy(bytes.data() + (m.constant_data(bias) - bytes.data()), &huge, 4);
  blob::reseal(bytes);
  Model again;
  const Status st = again.load(bytes.data(), bytes.size());
  CHECK_FALSE(st.ok());
  CHECK(std::string(st.message).find("accumulator") != std::string::npos);
}

TEST_CASE("quantize: an int8 Gemm's weights must be packed, an int16 Gemm's plain") {
  const io::NpyArray noisy = io::read_npy(model_file("digits_dae/test_noisy.npy"));
  const Split s = split(noisy, 64);
  for (auto p : {convert::Precision::kInt8, convert::Precision::kInt16}) {
    std::vector<uint8_t> bytes = quantize_file("digits_dae/digits_dae.onnx", s, p).blob.bytes;
    Model m;
    REQUIRE(m.load(bytes.data(), bytes.size()).ok());
    const auto at = static_cast<size_t>(reinterpret_cast<const uint8_t*>(&m.op(0)) - bytes.data()) +
                    offsetof(format::OpRecord, params) + offsetof(format::DenseParams, b_packing);
    int32_t packing;
    std::memcpy(&packing, bytes.data() + at, 4);
    CHECK(packing == (p == convert::Precision::kInt8 ? 1 : 0));
    const int32_t other = 1 - packing;
    std::memcpy(bytes.data() + at, &other, 4);
    blob::reseal(bytes);
    Model again;
    const Status st = again.load(bytes.data(), bytes.size());
    CHECK(st.code == StatusCode::kMalformed);
    CHECK(st.index == 0);
    CHECK(std::string(st.message).find("packed (quads or pairs) for int8") != std::string::npos);
  }
}

}  // namespace
}  // namespace edgeae
