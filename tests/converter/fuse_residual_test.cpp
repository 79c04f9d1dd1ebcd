// Tests for fuse_residual_adds: which skip Adds become a layer's residual
// input, and that a converted U-Net gives the same outputs fused and unfused.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "convert.hpp"
#include "converter/graph_helpers.hpp"
#include "edgeae/kernel_sets.hpp"
#include "passes/passes.hpp"

namespace edgeae {
namespace {

using testing::attr_ints;
using testing::BlobRunner;
using testing::GraphMaker;

// x [1, 2, 16] -> e = Relu(Conv k3 s2 p1) [1, 4, 8] -> d = Relu(ConvT k4 s2
// p1) [1, 2, 16] -> y = Add(d, x) (or Add(x, d) when `skip_first`; then a
// Relu when `relu_after_add`).
GraphMaker unet_like(bool skip_first, bool relu_after_add = false) {
  GraphMaker m;
  m.input("x", {1, 2, 16});
  m.weights("we", {4, 2, 3}, 71);
  m.weights("be", {4}, 72);
  m.weights("wd", {4, 2, 4}, 73);
  m.node("Conv", "enc", {"x", "we", "be"}, {"e0"},
         {{"pads", attr_ints({1, 1})}, {"strides", attr_ints({2})}});
  m.node("Relu", "enc_relu", {"e0"}, {"e"});
  m.node("ConvTranspose", "dec", {"e", "wd"}, {"d0"},
         {{"pads", attr_ints({1, 1})}, {"strides", attr_ints({2})}});
  m.node("Relu", "dec_relu", {"d0"}, {"d"});
  m.node("Add", "skip",
         skip_first ? std::vector<std::string>{"x", "d"} : std::vector<std::string>{"d", "x"},
         {relu_after_add ? "s" : "y"});
  if (relu_after_add) m.node("Relu", "after", {"s"}, {"y"});
  m.output("y");
  return m;
}

void run_passes(GraphMaker& m) {
  passes::infer_shapes(m.g);
  passes::fuse_activations(m.g);
  passes::fuse_residual_adds(m.g);
}

TEST_CASE("converter: fuse_residual_adds: a skip Add becomes the ConvTranspose's 4th input") {
  for (const bool skip_first : {false, true}) {
    GraphMaker m = unet_like(skip_first);
    run_passes(m);
    CHECK(m.count_op("Add") == 0);
    const ir::Node* dec = m.find("ConvTranspose");
    REQUIRE(dec);
    // No bias: input 2 stays absent, the residual is input 3.
    CHECK(dec->inputs == std::vector<std::string>{"e", "wd", "", "x"});
    CHECK(dec->act == format::Activation::kRelu);
    CHECK(dec->outputs == std::vector<std::string>{"y"});
  }
}

TEST_CASE("converter: fuse_residual_adds: Adds that must stay Adds") {
  SUBCASE("an activation after the Add (it would apply before the residual)") {
    GraphMaker m = unet_like(false, true);
    run_passes(m);
    CHECK(m.count_op("Add") == 1);
  }
  SUBCASE("the layer's output has another reader") {
    GraphMaker m = unet_like(false);
    m.output("d");
    run_passes(m);
    CHECK(m.count_op("Add") == 1);
  }
  SUBCASE("a broadcast operand (a bias-like constant)") {
    GraphMaker m = unet_like(false);
    m.weights("c", {1, 2, 1}, 74);
    m.g.nodes.back().inputs = {"d", "c"};
    run_passes(m);
    CHECK(m.count_op("Add") == 1);
  }
  SUBCASE("a constant operand of the full shape") {
    GraphMaker m = unet_like(false);
    m.weights("c", {1, 2, 16}, 75);
    m.g.nodes.back().inputs = {"d", "c"};
    run_passes(m);
    CHECK(m.count_op("Add") == 1);
  }
  SUBCASE("the op before the Add is not a layer") {
    GraphMaker m = unet_like(false);
    m.g.nodes.back().inputs = {"e", "e"};
    m.g.nodes.back().outputs = {"y"};
    run_passes(m);
    CHECK(m.count_op("Add") == 1);
  }
}

TEST_CASE("converter: an ONNX Conv with a 4th input is refused, naming the node") {
  GraphMaker m = unet_like(false);
  m.g.nodes[0].inputs.push_back("x");
  CHECK_THROWS_WITH_AS(passes::infer_shapes(m.g), doctest::Contains("enc"), ir::ConvertError);
}

// The fused blob (format 1.2, no Add) computes what the unfused one (the
// float blob a quantization starts from keeps its Adds) computes, on every
// kernel set.
TEST_CASE("converter: a fused skip Add gives the unfused graph's outputs on every set") {
  const blob::Blob fused = convert::convert_graph(unet_like(false).g);
  const blob::Blob plain = convert::float_blob_for_quantization(unet_like(false).g);
  const auto minor = [](const blob::Blob& b) {
    return reinterpret_cast<const format::BlobHeader*>(b.bytes.data())->version_minor;
  };
  CHECK(minor(fused) == 2);
  CHECK(minor(plain) == 1);
  BlobRunner f(fused), p(plain);
  CHECK(f.count_ops(format::OpType::kAdd) == 0);
  CHECK(p.count_ops(format::OpType::kAdd) == 1);
  const std::vector<float> x = testing::random_floats(32, 76);
  const std::vector<float> want = p.run({x})[0];
  for (size_t i = 0; i < kernel_set_count(); ++i) {
    CAPTURE(kernel_set_name(kernel_set(i)));
    CHECK(testing::max_rel_diff(f.run_with(kernel_set(i), {x})[0], want) <= 1e-6);
  }
}

}  // namespace
}  // namespace edgeae
