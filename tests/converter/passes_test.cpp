// Tests for the converter's graph passes (converters/passes), each run on its
// own over ir::Graph values built directly here, plus end-to-end layout checks
// through convert_graph against plain NCHW loops written in this file.
#include "passes/passes.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "convert.hpp"
#include "converter/graph_helpers.hpp"

namespace edgeae {
namespace {

using testing::attr_float;
using testing::attr_int;
using testing::attr_ints;
using testing::attr_string;
using testing::BlobRunner;
using testing::GraphMaker;
using testing::max_rel_diff;
using testing::random_floats;

// ONNX's forward window output size (floor mode).
int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d = 1) {
  return (in + pb + pe - (d * (k - 1) + 1)) / s + 1;
}

std::string error_of(ir::Graph& g, void (*pass)(ir::Graph&)) {
  try {
    pass(g);
  } catch (const ir::ConvertError& e) {
    return e.what();
  }
  return "";
}

void add_bn(GraphMaker& m, const std::string& x, const std::string& y, int64_t channels,
            uint32_t seed);

// ----------------------------------------------------------------- infer_shapes

TEST_CASE("converter: infer_shapes: Conv with explicit asymmetric pads, strides and dilation") {
  GraphMaker m;
  m.input("x", {1, 2, 9, 7});
  m.weights("w", {4, 2, 3, 2}, 1);
  m.weights("b", {4}, 2);
  m.node("Conv", "conv", {"x", "w", "b"}, {"y"},
         {{"pads", attr_ints({1, 0, 2, 1})},
          {"strides", attr_ints({2, 1})},
          {"dilations", attr_ints({2, 1})}});
  m.output("y");
  passes::infer_shapes(m.g);
  const ir::Value& y = m.g.value("y");
  REQUIRE(y.shape_known);
  CHECK(y.shape ==
        std::vector<int64_t>{1, 4, window_out(9, 3, 2, 1, 2, 2), window_out(7, 2, 1, 0, 1)});
  const ir::Node& n = m.g.nodes.at(0);
  CHECK(n.attr_ints("pads") == std::vector<int64_t>{1, 0, 2, 1});
  CHECK(n.attr_ints("kernel_shape") == std::vector<int64_t>{3, 2});
  CHECK(n.attr_ints("strides") == std::vector<int64_t>{2, 1});
  CHECK(n.attr_ints("dilations") == std::vector<int64_t>{2, 1});
}

TEST_CASE(
    "converter: infer_shapes: Conv auto_pad SAME_UPPER/SAME_LOWER/VALID become explicit pads") {
  // H: in 5, k 4, s 2 -> out 3, total pad (3-1)*2+4-5 = 3 (odd: the split matters).
  // W: in 6, k 3, s 1 -> out 6, total pad 2.
  struct Case {
    const char* mode;
    std::vector<int64_t> pads;
    std::vector<int64_t> out_hw;
  };
  const Case cases[] = {
      {"SAME_UPPER", {1, 1, 2, 1}, {3, 6}},  // the extra pad goes at the end
      {"SAME_LOWER", {2, 1, 1, 1}, {3, 6}},  // ... or at the beginning
      {"VALID", {0, 0, 0, 0}, {window_out(5, 4, 2, 0, 0), window_out(6, 3, 1, 0, 0)}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.mode);
    GraphMaker m;
    m.input("x", {1, 1, 5, 6});
    m.weights("w", {2, 1, 4, 3}, 3);
    m.node("Conv", "conv", {"x", "w"}, {"y"},
           {{"auto_pad", attr_string(c.mode)}, {"strides", attr_ints({2, 1})}});
    m.output("y");
    passes::infer_shapes(m.g);
    const ir::Node& n = m.g.nodes.at(0);
    CHECK_FALSE(n.has("auto_pad"));
    CHECK(n.attr_ints("pads") == c.pads);
    CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 2, c.out_hw[0], c.out_hw[1]});
    // The explicit pads give the same output size by the NOTSET formula.
    CHECK(window_out(5, 4, 2, c.pads[0], c.pads[2]) == c.out_hw[0]);
    CHECK(window_out(6, 3, 1, c.pads[1], c.pads[3]) == c.out_hw[1]);
  }
}

TEST_CASE("converter: infer_shapes: ConvTranspose output_shape derives pads and output_padding") {
  // in 3x3, k 3, s 2: full size 2*(3-1)+3 = 7.
  // H wants 6: total padding 1; ONNX (NOTSET) puts total - total/2 = 1 at the begin.
  // W wants 8: one more than the full size, which only output_padding can give.
  GraphMaker m;
  m.input("x", {1, 2, 3, 3});
  m.weights("w", {2, 3, 3, 3}, 4);
  m.node("ConvTranspose", "deconv", {"x", "w"}, {"y"},
         {{"strides", attr_ints({2, 2})}, {"output_shape", attr_ints({6, 8})}});
  m.output("y");
  passes::infer_shapes(m.g);
  const ir::Node& n = m.g.nodes.at(0);
  CHECK_FALSE(n.has("output_shape"));
  const auto pads = n.attr_ints("pads");
  const auto op = n.attr_ints("output_padding");
  REQUIRE(pads.size() == 4);
  REQUIRE(op.size() == 2);
  CHECK(pads[0] == 1);
  CHECK(pads[2] == 0);
  CHECK(op[0] == 0);
  CHECK(op[1] == 1);
  CHECK(pads[1] + pads[3] == 0);
  CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 3, 6, 8});
  // Consistency with the ONNX output size formula.
  for (int a = 0; a < 2; ++a)
    CHECK(2 * (3 - 1) + op[a] + 3 - pads[a] - pads[a + 2] == (a == 0 ? 6 : 8));
}

TEST_CASE("converter: infer_shapes: ConvTranspose with pads and output_padding") {
  GraphMaker m;
  m.input("x", {1, 2, 3, 4});
  m.weights("w", {2, 5, 3, 3}, 5);
  m.node("ConvTranspose", "deconv", {"x", "w"}, {"y"},
         {{"strides", attr_ints({2, 3})},
          {"pads", attr_ints({1, 0, 1, 1})},
          {"output_padding", attr_ints({1, 2})}});
  m.output("y");
  passes::infer_shapes(m.g);
  // out = s*(in-1) + output_padding + k - pad_begin - pad_end
  CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 5, 2 * 2 + 1 + 3 - 2, 3 * 3 + 2 + 3 - 1});
  CHECK(m.g.nodes.at(0).attr_ints("output_padding") == std::vector<int64_t>{1, 2});
}

TEST_CASE(
    "converter: infer_shapes: ConvTranspose output_padding not below the stride is rejected") {
  GraphMaker m;
  m.input("x", {1, 1, 3, 3});
  m.weights("w", {1, 1, 3, 3}, 6);
  m.node("ConvTranspose", "bad_deconv", {"x", "w"}, {"y"},
         {{"strides", attr_ints({2, 2})}, {"output_padding", attr_ints({2, 0})}});
  m.output("y");
  const std::string msg = error_of(m.g, passes::infer_shapes);
  CHECK(msg.find("bad_deconv") != std::string::npos);
  CHECK(msg.find("output_padding") != std::string::npos);
}

TEST_CASE("converter: infer_shapes: MaxPool ceil_mode") {
  struct Case {
    int64_t in, k, s, pad;
    int64_t ceil_mode;
    int64_t expected;
  };
  const Case cases[] = {
      {5, 2, 2, 0, 0, 2},  // floor(3/2)+1
      {5, 2, 2, 0, 1, 3},  // ceil(3/2)+1: the last window hangs over the end
      {4, 2, 2, 0, 1, 2},  // divides exactly: ceil changes nothing
      // ceil((4+2-2)/3)+1 = 3, but the third window would start at 6, past
      // the input and its begin padding (4+1): PyTorch and onnxruntime drop it.
      {4, 2, 3, 1, 1, 2},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CAPTURE(c.s);
    CAPTURE(c.ceil_mode);
    GraphMaker m;
    m.input("x", {1, 3, c.in, 6});
    m.node("MaxPool", "pool", {"x"}, {"y"},
           {{"kernel_shape", attr_ints({c.k, 1})},
            {"strides", attr_ints({c.s, 1})},
            {"pads", attr_ints({c.pad, 0, c.pad, 0})},
            {"ceil_mode", attr_int(c.ceil_mode)}});
    m.output("y");
    passes::infer_shapes(m.g);
    CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 3, c.expected, 6});
  }
}

TEST_CASE(
    "converter: infer_shapes: Flatten, Reshape (0 and -1), Squeeze, Unsqueeze become Reshape") {
  struct Case {
    const char* op;
    std::vector<std::pair<std::string, ir::Attribute>> attrs;
    std::vector<int64_t> shape_input;  // Reshape's target / Squeeze-Unsqueeze axes ({} = none)
    std::vector<int64_t> expected;
  };
  const std::vector<int64_t> in = {1, 2, 3, 4};
  const std::vector<Case> cases = {
      {"Flatten", {}, {}, {1, 24}},
      {"Flatten", {{"axis", attr_int(2)}}, {}, {2, 12}},
      {"Flatten", {{"axis", attr_int(0)}}, {}, {1, 24}},
      {"Reshape", {}, {0, -1}, {1, 24}},
      {"Reshape", {}, {0, 0, -1}, {1, 2, 12}},
      {"Reshape", {}, {-1, 4}, {6, 4}},
      {"Squeeze", {}, {0}, {2, 3, 4}},
      {"Unsqueeze", {}, {1, -1}, {1, 1, 2, 3, 4, 1}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.op);
    CAPTURE(c.expected);
    GraphMaker m;
    m.input("x", in);
    std::vector<std::string> inputs = {"x"};
    if (!c.shape_input.empty()) {
      m.int_constant("s", {static_cast<int64_t>(c.shape_input.size())}, c.shape_input);
      inputs.push_back("s");
    }
    m.node(c.op, "view", inputs, {"y"}, c.attrs);
    m.output("y");
    passes::infer_shapes(m.g);
    REQUIRE(m.g.nodes.size() == 1);
    const ir::Node& n = m.g.nodes[0];
    CHECK(n.op == "Reshape");
    CHECK(n.inputs == std::vector<std::string>{"x"});
    INFO("got ", testing::shape_text(m.g.value("y").shape));
    CHECK(m.g.value("y").shape == c.expected);
    CHECK(testing::count_of(c.expected) == testing::count_of(in));
  }
}

// Regression test, the bug was (converters/passes/infer_shapes.cpp, infer_node, op == "Flatten";
// the same code in constant_folding.cpp, try_fold): a negative axis is normalized against rank + 1
// instead of rank. ONNX: "Negative value means counting dimensions from the back ... accepted range
// is [-r, r]", i.e. axis -1 on a rank-4 input is axis 3. For x [1,2,3,4], Flatten(axis=-1) must
// give [6,4]; the converter gives [24,1]; axis -3 gives [2,12] instead of [1,24]; and axis -5,
// outside [-4, 4], is accepted.
TEST_CASE("converter: infer_shapes: Flatten with a negative axis counts from the back") {
  GraphMaker m;
  m.input("x", {1, 2, 3, 4});
  m.node("Flatten", "flatten", {"x"}, {"y"}, {{"axis", attr_int(-1)}});
  m.output("y");
  passes::infer_shapes(m.g);
  CHECK(m.g.value("y").shape == std::vector<int64_t>{6, 4});

  GraphMaker m3;
  m3.input("x", {1, 2, 3, 4});
  m3.node("Flatten", "flatten", {"x"}, {"y"}, {{"axis", attr_int(-3)}});
  m3.output("y");
  passes::infer_shapes(m3.g);
  CHECK(m3.g.value("y").shape == std::vector<int64_t>{1, 24});

  GraphMaker c;  // constant folding path
  c.input("x", {1, 4});
  c.weights("k", {2, 3, 4}, 7);
  c.node("Flatten", "flatten_const", {"k"}, {"kf"}, {{"axis", attr_int(-1)}});
  c.node("Relu", "relu", {"x"}, {"y"});
  c.output("y");
  passes::infer_shapes(c.g);
  CHECK(c.g.value("kf").shape == std::vector<int64_t>{6, 4});

  GraphMaker bad;
  bad.input("x", {1, 2, 3, 4});
  bad.node("Flatten", "flatten_bad", {"x"}, {"y"}, {{"axis", attr_int(-5)}});
  bad.output("y");
  CHECK(error_of(bad.g, passes::infer_shapes).find("flatten_bad") != std::string::npos);
}

TEST_CASE("converter: infer_shapes: Reshape with two -1 or a wrong element count is rejected") {
  for (const std::vector<int64_t>& target :
       {std::vector<int64_t>{-1, -1}, std::vector<int64_t>{5, 5}, std::vector<int64_t>{-1, 5}}) {
    CAPTURE(target);
    GraphMaker m;
    m.input("x", {1, 2, 3, 4});
    m.int_constant("s", {static_cast<int64_t>(target.size())}, target);
    m.node("Reshape", "bad_reshape", {"x", "s"}, {"y"});
    m.output("y");
    CHECK(error_of(m.g, passes::infer_shapes).find("bad_reshape") != std::string::npos);
  }
}

TEST_CASE("converter: infer_shapes: PyTorch's Shape-Gather-Unsqueeze-Concat-Reshape folds away") {
  // x.view(x.size(0), -1) as PyTorch exports it (opset 11: Unsqueeze axes attribute).
  GraphMaker m;
  m.g.opset = 11;
  m.input("x", {1, 3, 4, 4});
  m.node("Relu", "relu", {"x"}, {"r"});
  m.node("Shape", "shape", {"r"}, {"s"});
  m.int_constant("zero", {}, {0});
  m.node("Gather", "gather", {"s", "zero"}, {"n"}, {{"axis", attr_int(0)}});
  m.node("Unsqueeze", "unsq", {"n"}, {"n1"}, {{"axes", attr_ints({0})}});
  m.int_constant("minus_one", {1}, {-1});
  m.node("Concat", "cat", {"n1", "minus_one"}, {"target"}, {{"axis", attr_int(0)}});
  m.node("Reshape", "flatten", {"r", "target"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::remove_dead(m.g);
  CHECK(m.g.nodes.size() == 2);
  CHECK(m.count_op("Relu") == 1);
  REQUIRE(m.count_op("Reshape") == 1);
  for (const char* gone : {"Shape", "Gather", "Unsqueeze", "Concat"}) CHECK(m.count_op(gone) == 0);
  const ir::Node& r = *m.find("Reshape");
  CHECK(r.inputs == std::vector<std::string>{"r"});
  CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 48});
  // The folded target is a constant [1, -1] (the batch size read from the shape).
  CHECK_FALSE(m.g.has_value("target"));  // nobody reads it any more
}

TEST_CASE("converter: infer_shapes: Resize with Constant scales, asymmetric/floor") {
  GraphMaker m;
  m.input("x", {1, 2, 3, 4});
  ir::Attribute scales_tensor;
  scales_tensor.kind = ir::Attribute::Kind::kTensor;
  scales_tensor.tensor.type = ir::ElemType::kFloat;
  scales_tensor.tensor.shape = {4};
  scales_tensor.tensor.shape_known = true;
  scales_tensor.tensor.is_constant = true;
  scales_tensor.tensor.f = {1.0f, 1.0f, 2.0f, 3.0f};
  m.node("Constant", "scales_node", {}, {"scales"}, {{"value", scales_tensor}});
  m.node("Resize", "up", {"x", "", "scales"}, {"y"},
         {{"mode", attr_string("nearest")},
          {"coordinate_transformation_mode", attr_string("asymmetric")},
          {"nearest_mode", attr_string("floor")}});
  m.output("y");
  passes::infer_shapes(m.g);
  const ir::Node* r = m.find("Resize");
  REQUIRE(r != nullptr);
  CHECK(m.count_op("Constant") == 0);
  CHECK(r->inputs == std::vector<std::string>{"x"});
  CHECK(r->attr_ints("scales") == std::vector<int64_t>{1, 1, 2, 3});
  CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 2, 6, 12});
}

TEST_CASE("converter: infer_shapes: Resize half_pixel/round_prefer_floor at scale 2 is accepted") {
  GraphMaker m;
  m.input("x", {1, 1, 3, 5});
  m.constant("scales", {4}, {1, 1, 2, 2});
  m.node("Resize", "up", {"x", "", "scales"}, {"y"},
         {{"mode", attr_string("nearest")},
          {"coordinate_transformation_mode", attr_string("half_pixel")},
          {"nearest_mode", attr_string("round_prefer_floor")}});
  m.output("y");
  passes::infer_shapes(m.g);
  REQUIRE(m.find("Resize") != nullptr);
  CHECK(m.find("Resize")->attr_ints("scales") == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 1, 6, 10});
}

TEST_CASE("converter: infer_shapes: Resize asymmetric/round_prefer_floor at scale 3 is rejected") {
  // Output 2 reads round(2/3) = 1, not 2/3 = 0: not the nearest upsampling the runtime does.
  GraphMaker m;
  m.input("x", {1, 1, 3, 5});
  m.constant("scales", {4}, {1, 1, 3, 3});
  m.node("Resize", "upsample_by_3", {"x", "", "scales"}, {"y"},
         {{"mode", attr_string("nearest")},
          {"coordinate_transformation_mode", attr_string("asymmetric")},
          {"nearest_mode", attr_string("round_prefer_floor")}});
  m.output("y");
  const std::string msg = error_of(m.g, passes::infer_shapes);
  CHECK(msg.find("upsample_by_3") != std::string::npos);
  CHECK(msg.find("Resize") != std::string::npos);
  CHECK(msg.find("asymmetric") != std::string::npos);
}

TEST_CASE("converter: infer_shapes: Resize with a non-integer scale is rejected") {
  GraphMaker m;
  m.input("x", {1, 1, 4, 4});
  m.constant("scales", {4}, {1, 1, 1.5f, 1.5f});
  m.node("Resize", "frac", {"x", "", "scales"}, {"y"}, {{"mode", attr_string("nearest")}});
  m.output("y");
  const std::string msg = error_of(m.g, passes::infer_shapes);
  CHECK(msg.find("frac") != std::string::npos);
  CHECK(msg.find("integer") != std::string::npos);
}

TEST_CASE("converter: infer_shapes: Div by a constant becomes Mul by the reciprocal") {
  GraphMaker m;
  m.input("x", {1, 3, 2, 2});
  const std::vector<float> d = {2.0f, 4.0f, 0.5f};
  m.constant("d", {3, 1, 1}, d);
  m.node("Div", "div", {"x", "d"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  REQUIRE(m.g.nodes.size() == 1);
  const ir::Node& n = m.g.nodes[0];
  CHECK(n.op == "Mul");
  REQUIRE(n.inputs.size() == 2);
  CHECK(n.inputs[0] == "x");
  const ir::Value& r = m.g.value(n.inputs[1]);
  CHECK(r.is_constant);
  CHECK(r.shape == std::vector<int64_t>{3, 1, 1});
  REQUIRE(r.f.size() == 3);
  for (size_t k = 0; k < 3; ++k) CHECK(r.f[k] == 1.0f / d[k]);
  CHECK(m.g.value("y").shape == std::vector<int64_t>{1, 3, 2, 2});
}

TEST_CASE("converter: infer_shapes: Div by a runtime value is rejected") {
  GraphMaker m;
  m.input("x", {1, 4});
  m.input("z", {1, 4});
  m.node("Div", "divide", {"x", "z"}, {"y"});
  m.output("y");
  const std::string msg = error_of(m.g, passes::infer_shapes);
  CHECK(msg.find("divide") != std::string::npos);
  CHECK(msg.find("constant") != std::string::npos);
}

TEST_CASE("converter: infer_shapes: Clip min/max inputs become attributes") {
  SUBCASE("both") {
    GraphMaker m;
    m.input("x", {1, 4});
    m.constant("lo", {}, {-0.5f});
    m.constant("hi", {}, {2.0f});
    m.node("Clip", "clip", {"x", "lo", "hi"}, {"y"});
    m.output("y");
    passes::infer_shapes(m.g);
    const ir::Node& n = m.g.nodes.at(0);
    CHECK(n.inputs.size() == 1);
    CHECK(n.attr_float("min", 0) == -0.5f);
    CHECK(n.attr_float("max", 0) == 2.0f);
  }
  SUBCASE("max only: min is unbounded") {
    GraphMaker m;
    m.input("x", {1, 4});
    m.constant("hi", {}, {6.0f});
    m.node("Clip", "clip", {"x", "", "hi"}, {"y"});
    m.output("y");
    passes::infer_shapes(m.g);
    const ir::Node& n = m.g.nodes.at(0);
    CHECK(n.inputs.size() == 1);
    CHECK(n.attr_float("min", 0) <= -std::numeric_limits<float>::max());
    CHECK(n.attr_float("max", 0) == 6.0f);
  }
  SUBCASE("runtime bound is rejected") {
    GraphMaker m;
    m.input("x", {1, 4});
    m.input("lo", {});
    m.node("Clip", "clip_rt", {"x", "lo"}, {"y"});
    m.output("y");
    CHECK(error_of(m.g, passes::infer_shapes).find("clip_rt") != std::string::npos);
  }
}

TEST_CASE("converter: infer_shapes: Sum of 3 inputs becomes a chain of Adds") {
  GraphMaker m;
  m.input("a", {2, 3});
  m.input("b", {2, 3});
  m.input("c", {2, 3});
  m.node("Sum", "sum", {"a", "b", "c"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  REQUIRE(m.g.nodes.size() == 2);
  const ir::Node& first = m.g.nodes[0];
  const ir::Node& second = m.g.nodes[1];
  CHECK(first.op == "Add");
  CHECK(second.op == "Add");
  CHECK(first.inputs == std::vector<std::string>{"a", "b"});
  CHECK(second.inputs == std::vector<std::string>{first.outputs.at(0), "c"});
  CHECK(second.outputs == std::vector<std::string>{"y"});
  CHECK(m.g.value(first.outputs[0]).shape == std::vector<int64_t>{2, 3});

  // And it computes a + b + c.
  const auto a = random_floats(6, 10), b = random_floats(6, 11), c = random_floats(6, 12);
  GraphMaker m2;
  m2.input("a", {2, 3});
  m2.input("b", {2, 3});
  m2.input("c", {2, 3});
  m2.node("Sum", "sum", {"a", "b", "c"}, {"y"});
  m2.output("y");
  BlobRunner r(convert::convert_graph(m2.g));
  const auto out = r.run({a, b, c}).at(0);
  std::vector<float> want(6);
  for (size_t k = 0; k < 6; ++k) want[k] = a[k] + b[k] + c[k];
  CHECK(max_rel_diff(out, want) <= 1e-6);
}

TEST_CASE("converter: infer_shapes: unsupported ops name the node, the op and the supported ops") {
  for (const char* op : {"Softmax", "LSTM", "Einsum"}) {
    CAPTURE(op);
    GraphMaker m;
    m.input("x", {1, 8});
    m.node("Relu", "relu", {"x"}, {"r"});
    m.node(op, "the_culprit", {"r"}, {"y"});
    m.output("y");
    const std::string msg = error_of(m.g, passes::infer_shapes);
    CHECK(msg.find("the_culprit") != std::string::npos);
    CHECK(msg.find(op) != std::string::npos);
    CHECK(msg.find("supported ops") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

// ------------------------------------------------------------- drop_identities

TEST_CASE("converter: drop_identities: Identity and Dropout are bypassed") {
  GraphMaker m;
  m.input("x", {1, 4});
  m.node("Relu", "relu", {"x"}, {"r"});
  m.node("Identity", "id", {"r"}, {"i"});
  m.node("Dropout", "drop", {"i"}, {"d"});
  m.node("Sigmoid", "sig", {"d"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::drop_identities(m.g);
  REQUIRE(m.g.nodes.size() == 2);
  CHECK(m.g.nodes[0].op == "Relu");
  CHECK(m.g.nodes[1].op == "Sigmoid");
  CHECK(m.g.nodes[1].inputs == std::vector<std::string>{"r"});
  CHECK(m.g.outputs == std::vector<std::string>{"y"});
}

// Regression test, the bug was (converters/passes/drop_identities.cpp, drop_identities): the file's
// comment promises "A graph output keeps its name by renaming the producer's
// output", but the pass only calls replace_uses, which renames the graph
// output to the Identity's input ("r" instead of "y"), so the converted
// blob's output is named after an internal value.
TEST_CASE("converter: drop_identities: a graph output produced by Identity keeps its name") {
  GraphMaker m;
  m.input("x", {1, 4});
  m.node("Relu", "relu", {"x"}, {"r"});
  m.node("Identity", "id", {"r"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::drop_identities(m.g);
  REQUIRE(m.g.nodes.size() == 1);
  CHECK(m.g.outputs == std::vector<std::string>{"y"});
  CHECK(m.g.nodes[0].outputs == std::vector<std::string>{"y"});
}

// Regression test, the bug was (converters/passes/drop_identities.cpp, drop_identities, and
// converters/passes/fold_batchnorm.cpp, try_fold_into_producer): both rewrite
// a graph output to the name of the value feeding the removed node (via
// Graph::replace_uses), so the blob's output is named after an internal
// value ("r" / "c") instead of the model's output name "y". fuse_activations
// shows the intended behaviour: it renames the producer's output instead.
TEST_CASE("converter: convert_graph: graph output names survive Identity removal and BN folding") {
  {
    GraphMaker m;
    m.input("x", {1, 4});
    m.node("Relu", "relu", {"x"}, {"r"});
    m.node("Identity", "id", {"r"}, {"y"});
    m.output("y");
    BlobRunner r(convert::convert_graph(m.g));
    CHECK(std::string(r.model().output(0).name) == "y");
  }
  {
    GraphMaker m;
    m.input("x", {1, 2, 4, 4});
    m.weights("w", {3, 2, 3, 3}, 90);
    m.node("Conv", "conv", {"x", "w"}, {"c"});
    add_bn(m, "c", "y", 3, 91);
    m.output("y");
    BlobRunner r(convert::convert_graph(m.g));
    CHECK(std::string(r.model().output(0).name) == "y");
  }
}

TEST_CASE("converter: convert_graph: a fused activation keeps the graph output name") {
  GraphMaker m;
  m.input("x", {1, 2, 4, 4});
  m.weights("w", {3, 2, 3, 3}, 92);
  m.node("Conv", "conv", {"x", "w"}, {"c"});
  m.node("Relu", "relu", {"c"}, {"y"});
  m.output("y");
  BlobRunner r(convert::convert_graph(m.g));
  CHECK(std::string(r.model().output(0).name) == "y");
  CHECK(std::string(r.model().input(0).name) == "x");
}

// --------------------------------------------------------------- matmul_to_gemm

TEST_CASE("converter: matmul_to_gemm: MatMul + Add(bias [N]) becomes one Gemm with 3 inputs") {
  for (bool bias_first : {false, true}) {
    CAPTURE(bias_first);
    GraphMaker m;
    m.input("x", {2, 4});
    m.weights("w", {4, 3}, 20);
    m.weights("b", {3}, 21);
    m.node("MatMul", "mm", {"x", "w"}, {"xw"});
    m.node("Add", "add",
           bias_first ? std::vector<std::string>{"b", "xw"} : std::vector<std::string>{"xw", "b"},
           {"y"});
    m.output("y");
    passes::infer_shapes(m.g);
    passes::matmul_to_gemm(m.g);
    REQUIRE(m.g.nodes.size() == 1);
    const ir::Node& n = m.g.nodes[0];
    CHECK(n.op == "Gemm");
    CHECK(n.inputs == std::vector<std::string>{"x", "w", "b"});
    CHECK(n.outputs == std::vector<std::string>{"y"});
    CHECK(n.attr_int("transB", 0) == 0);
  }
}

TEST_CASE("converter: matmul_to_gemm: a MatMul output that is a graph output is not merged") {
  GraphMaker m;
  m.input("x", {2, 4});
  m.weights("w", {4, 3}, 22);
  m.weights("b", {3}, 23);
  m.node("MatMul", "mm", {"x", "w"}, {"xw"});
  m.node("Add", "add", {"xw", "b"}, {"y"});
  m.output("xw");
  m.output("y");
  passes::infer_shapes(m.g);
  passes::matmul_to_gemm(m.g);
  REQUIRE(m.g.nodes.size() == 2);
  CHECK(m.g.nodes[0].op == "Gemm");
  CHECK(m.g.nodes[0].inputs.size() == 2);
  CHECK(m.g.nodes[0].outputs == std::vector<std::string>{"xw"});
  CHECK(m.g.nodes[1].op == "Add");
  CHECK(m.g.outputs == std::vector<std::string>{"xw", "y"});
}

TEST_CASE("converter: matmul_to_gemm: an Add of a non-row bias is not merged") {
  GraphMaker m;
  m.input("x", {2, 4});
  m.weights("w", {4, 3}, 24);
  m.weights("full", {2, 3}, 25);  // a [M, N] addend is not a bias
  m.node("MatMul", "mm", {"x", "w"}, {"xw"});
  m.node("Add", "add", {"xw", "full"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::matmul_to_gemm(m.g);
  REQUIRE(m.g.nodes.size() == 2);
  CHECK(m.g.nodes[0].inputs.size() == 2);
  CHECK(m.g.nodes[1].op == "Add");
}

// ------------------------------------------------------------- fuse_activations

TEST_CASE("converter: fuse_activations: Conv + Relu fuse into the Conv") {
  GraphMaker m;
  m.input("x", {1, 2, 4, 4});
  m.weights("w", {3, 2, 3, 3}, 30);
  m.node("Conv", "conv", {"x", "w"}, {"c"}, {{"pads", attr_ints({1, 1, 1, 1})}});
  m.node("Relu", "relu", {"c"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::fuse_activations(m.g);
  REQUIRE(m.g.nodes.size() == 1);
  CHECK(m.g.nodes[0].op == "Conv");
  CHECK(m.g.nodes[0].act == format::Activation::kRelu);
  CHECK(m.g.nodes[0].outputs == std::vector<std::string>{"y"});
}

TEST_CASE("converter: fuse_activations: not fused when the Conv output has another reader") {
  GraphMaker m;
  m.input("x", {1, 2, 4, 4});
  m.weights("w", {2, 2, 3, 3}, 31);
  m.node("Conv", "conv", {"x", "w"}, {"c"}, {{"pads", attr_ints({1, 1, 1, 1})}});
  m.node("Relu", "relu", {"c"}, {"r"});
  m.node("Add", "skip", {"c", "r"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::fuse_activations(m.g);
  REQUIRE(m.g.nodes.size() == 3);
  CHECK(m.g.nodes[0].act == format::Activation::kNone);
  CHECK(m.g.nodes[0].outputs == std::vector<std::string>{"c"});
  CHECK(m.g.nodes[1].op == "Relu");
}

TEST_CASE("converter: fuse_activations: not fused when the Conv output is a graph output") {
  GraphMaker m;
  m.input("x", {1, 2, 4, 4});
  m.weights("w", {2, 2, 3, 3}, 32);
  m.node("Conv", "conv", {"x", "w"}, {"c"}, {{"pads", attr_ints({1, 1, 1, 1})}});
  m.node("Relu", "relu", {"c"}, {"y"});
  m.output("c");
  m.output("y");
  passes::infer_shapes(m.g);
  passes::fuse_activations(m.g);
  REQUIRE(m.g.nodes.size() == 2);
  CHECK(m.g.nodes[0].act == format::Activation::kNone);
  CHECK(m.g.nodes[1].op == "Relu");
}

TEST_CASE("converter: fuse_activations: LeakyRelu carries alpha, Clip its bounds") {
  {
    GraphMaker m;
    m.input("x", {2, 4});
    m.weights("w", {4, 3}, 33);
    m.node("Gemm", "fc", {"x", "w"}, {"g"});
    m.node("LeakyRelu", "leaky", {"g"}, {"y"}, {{"alpha", attr_float(0.3f)}});
    m.output("y");
    passes::infer_shapes(m.g);
    passes::fuse_activations(m.g);
    REQUIRE(m.g.nodes.size() == 1);
    CHECK(m.g.nodes[0].act == format::Activation::kLeakyRelu);
    CHECK(m.g.nodes[0].act_alpha == 0.3f);
  }
  {
    GraphMaker m;
    m.input("x", {2, 4});
    m.weights("w", {4, 3}, 34);
    m.constant("lo", {}, {-1.5f});
    m.constant("hi", {}, {0.25f});
    m.node("Gemm", "fc", {"x", "w"}, {"g"});
    m.node("Clip", "clip", {"g", "lo", "hi"}, {"y"});
    m.output("y");
    passes::infer_shapes(m.g);
    passes::fuse_activations(m.g);
    REQUIRE(m.g.nodes.size() == 1);
    CHECK(m.g.nodes[0].act == format::Activation::kClip);
    CHECK(m.g.nodes[0].act_alpha == -1.5f);
    CHECK(m.g.nodes[0].act_beta == 0.25f);
  }
}

TEST_CASE("converter: fuse_activations: PRelu with a per-channel [C,1,1] slope is fused") {
  GraphMaker m;
  m.input("x", {1, 2, 4, 3});
  m.weights("w", {3, 2, 1, 1}, 35);
  m.constant("slope", {3, 1, 1}, {0.1f, 0.2f, 0.3f});
  m.node("Conv", "conv", {"x", "w"}, {"c"});
  m.node("PRelu", "prelu", {"c", "slope"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::fuse_activations(m.g);
  REQUIRE(m.g.nodes.size() == 1);
  CHECK(m.g.nodes[0].act == format::Activation::kPRelu);
  CHECK(m.g.nodes[0].act_slope == "slope");
  CHECK(m.g.nodes[0].outputs == std::vector<std::string>{"y"});
  // remove_dead keeps the slope alive through act_slope.
  passes::remove_dead(m.g);
  CHECK(m.g.has_value("slope"));
}

TEST_CASE("converter: fuse_activations: PRelu with a slope along another axis is not fused") {
  // x is [1, 3, 4, 3]: a slope [3] broadcasts along W (the last axis), not C,
  // even though W happens to equal C.
  GraphMaker m;
  m.input("x", {1, 2, 4, 3});
  m.weights("w", {3, 2, 1, 1}, 36);
  m.constant("slope", {3}, {0.1f, 0.2f, 0.3f});
  m.node("Conv", "conv", {"x", "w"}, {"c"});
  m.node("PRelu", "prelu", {"c", "slope"}, {"y"});
  m.output("y");
  passes::infer_shapes(m.g);
  REQUIRE(m.g.value("c").shape == std::vector<int64_t>{1, 3, 4, 3});
  passes::fuse_activations(m.g);
  REQUIRE(m.g.nodes.size() == 2);
  CHECK(m.g.nodes[0].act == format::Activation::kNone);
  CHECK(m.g.nodes[1].op == "PRelu");
}

// --------------------------------------------------------------- fold_batchnorm

// Adds BatchNormalization over `channels` reading `x` and writing `y`.
void add_bn(GraphMaker& m, const std::string& x, const std::string& y, int64_t channels,
            uint32_t seed) {
  m.weights(y + "_gamma", {channels}, seed, 0.5f, 1.5f);
  m.weights(y + "_beta", {channels}, seed + 1);
  m.weights(y + "_mean", {channels}, seed + 2);
  m.weights(y + "_var", {channels}, seed + 3, 0.2f, 2.0f);
  m.node("BatchNormalization", y + "_bn", {x, y + "_gamma", y + "_beta", y + "_mean", y + "_var"},
         {y}, {{"epsilon", attr_float(1e-3f)}});
}

// One model twice: once with BN right after its producer (folded), once with
// the producer's output also a graph output so BN must stay standalone
// (lowered to Mul + Add). Both blobs must compute the same `y`.
template <typename Build>
void check_fold_matches_standalone(Build build, const std::vector<int64_t>& in_shape,
                                   const std::string& producer_op) {
  GraphMaker folded, standalone;
  build(folded);
  folded.output("y");
  build(standalone);
  standalone.output("y");
  standalone.output("p");

  // The pass itself: one producer node, new weights, no BN left.
  {
    GraphMaker probe;
    build(probe);
    probe.output("y");
    passes::infer_shapes(probe.g);
    const std::string old_w = probe.g.nodes.at(0).inputs.at(1);
    passes::fold_batchnorm(probe.g);
    REQUIRE(probe.g.nodes.size() == 1);
    CHECK(probe.g.nodes[0].op == producer_op);
    CHECK(probe.g.nodes[0].inputs.size() == 3);
    CHECK(probe.g.nodes[0].inputs[1] != old_w);
    CHECK(probe.g.outputs == probe.g.nodes[0].outputs);
    CHECK(probe.count_op("BatchNormalization") == 0);
  }

  BlobRunner a(convert::convert_graph(folded.g));
  BlobRunner b(convert::convert_graph(standalone.g));
  CHECK(a.count_ops(format::OpType::kMul) == 0);
  CHECK(b.count_ops(format::OpType::kMul) == 1);
  CHECK(b.count_ops(format::OpType::kAdd) == 1);
  for (uint32_t seed = 100; seed < 103; ++seed) {
    const auto x = random_floats(static_cast<size_t>(testing::count_of(in_shape)), seed);
    const auto ya = a.run({x}).at(0);
    const auto outs_b = b.run({x});
    // Output order follows graph outputs: y first.
    CHECK(max_rel_diff(ya, outs_b.at(0)) <= 1e-5);
  }
}

TEST_CASE("converter: fold_batchnorm: Conv + BN folds and matches a standalone BN") {
  check_fold_matches_standalone(
      [](GraphMaker& m) {
        m.input("x", {1, 3, 5, 5});
        m.weights("w", {4, 3, 3, 3}, 40);
        m.weights("b", {4}, 41);
        m.node("Conv", "conv", {"x", "w", "b"}, {"p"}, {{"pads", attr_ints({1, 1, 1, 1})}});
        add_bn(m, "p", "y", 4, 42);
      },
      {1, 3, 5, 5}, "Conv");
}

TEST_CASE("converter: fold_batchnorm: ConvTranspose (groups=2) + BN folds and matches") {
  check_fold_matches_standalone(
      [](GraphMaker& m) {
        m.input("x", {1, 4, 3, 3});
        m.weights("w", {4, 3, 2, 2}, 50);  // [Cin, Cout/group, k, k]: Cout = 6
        m.node("ConvTranspose", "deconv", {"x", "w"}, {"p"},
               {{"strides", attr_ints({2, 2})}, {"group", attr_int(2)}});
        add_bn(m, "p", "y", 6, 51);
      },
      {1, 4, 3, 3}, "ConvTranspose");
}

TEST_CASE("converter: fold_batchnorm: Gemm (transB=1) + BN folds and matches") {
  check_fold_matches_standalone(
      [](GraphMaker& m) {
        m.input("x", {2, 5});
        m.weights("w", {3, 5}, 60);  // [N, K] with transB
        m.weights("c", {3}, 61);
        m.node("Gemm", "fc", {"x", "w", "c"}, {"p"}, {{"transB", attr_int(1)}});
        add_bn(m, "p", "y", 3, 62);
      },
      {2, 5}, "Gemm");
}

TEST_CASE(
    "converter: fold_batchnorm: BN after a Conv whose output has two readers stays standalone") {
  GraphMaker m;
  m.input("x", {1, 2, 4, 4});
  m.weights("w", {3, 2, 3, 3}, 70);
  m.node("Conv", "conv", {"x", "w"}, {"c"}, {{"pads", attr_ints({1, 1, 1, 1})}});
  add_bn(m, "c", "y", 3, 71);
  m.node("Relu", "relu", {"c"}, {"z"});
  m.output("y");
  m.output("z");
  passes::infer_shapes(m.g);
  passes::fold_batchnorm(m.g);
  CHECK(m.count_op("BatchNormalization") == 0);
  REQUIRE(m.find("Conv") != nullptr);
  CHECK(m.find("Conv")->inputs == std::vector<std::string>{"x", "w"});
  CHECK(m.find("Conv")->outputs == std::vector<std::string>{"c"});
  CHECK(m.count_op("Mul") == 1);
  CHECK(m.count_op("Add") == 1);
  // The Mul/Add pair computes BN: check it on the runtime too.
  GraphMaker ref;
  ref.input("c", {1, 3, 4, 4});
  add_bn(ref, "c", "y", 3, 71);
  ref.output("y");
  BlobRunner r(convert::convert_graph(ref.g));
  const auto c = random_floats(48, 72);
  const auto y = r.run({c}).at(0);
  const auto& gm = ref.g.value("y_gamma").f;
  const auto& bt = ref.g.value("y_beta").f;
  const auto& mu = ref.g.value("y_mean").f;
  const auto& var = ref.g.value("y_var").f;
  std::vector<float> want(48);
  for (size_t ch = 0; ch < 3; ++ch)
    for (size_t k = 0; k < 16; ++k)
      want[ch * 16 + k] = static_cast<float>(gm[ch] * (c[ch * 16 + k] - mu[ch]) /
                                                 std::sqrt(static_cast<double>(var[ch]) + 1e-3) +
                                             bt[ch]);
  CHECK(max_rel_diff(y, want) <= 1e-5);
}

// ------------------------------------------------------------------ remove_dead

TEST_CASE("converter: remove_dead: drops unread nodes and unused values, keeps inputs") {
  GraphMaker m;
  m.input("x", {1, 4});
  m.input("unused_input", {1, 4});
  m.weights("unused_const", {4}, 80);
  m.node("Relu", "relu", {"x"}, {"y"});
  m.node("Sigmoid", "dead1", {"x"}, {"d1"});
  m.node("Tanh", "dead2", {"d1"}, {"d2"});
  m.output("y");
  passes::infer_shapes(m.g);
  passes::remove_dead(m.g);
  REQUIRE(m.g.nodes.size() == 1);
  CHECK(m.g.nodes[0].name == "relu");
  CHECK_FALSE(m.g.has_value("d1"));
  CHECK_FALSE(m.g.has_value("d2"));
  CHECK_FALSE(m.g.has_value("unused_const"));
  CHECK(m.g.has_value("x"));
  CHECK(m.g.has_value("unused_input"));
  CHECK(m.g.has_value("y"));
  CHECK(m.g.inputs == std::vector<std::string>{"x", "unused_input"});
}

// ------------------------------------------------------------ layout, end to end

struct Tensor4 {
  std::vector<int64_t> shape;  // NCHW
  std::vector<float> data;
  float at(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return data[static_cast<size_t>(((n * shape[1] + c) * shape[2] + h) * shape[3] + w)];
  }
};

// Plain NCHW convolution, groups 1, symmetric pads, equal strides.
Tensor4 conv_nchw(const Tensor4& x, const std::vector<float>& w, int64_t cout, int64_t k,
                  const std::vector<float>& bias, int64_t stride, int64_t pad) {
  const int64_t n_ = x.shape[0], cin = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t oh = (h + 2 * pad - k) / stride + 1, ow = (wd + 2 * pad - k) / stride + 1;
  Tensor4 y{{n_, cout, oh, ow}, {}};
  y.data.assign(static_cast<size_t>(n_ * cout * oh * ow), 0.0f);
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = bias.empty() ? 0.0 : bias[static_cast<size_t>(o)];
          for (int64_t c = 0; c < cin; ++c)
            for (int64_t a = 0; a < k; ++a)
              for (int64_t b = 0; b < k; ++b) {
                const int64_t hi = i * stride - pad + a, wi = j * stride - pad + b;
                if (hi < 0 || hi >= h || wi < 0 || wi >= wd) continue;
                acc += static_cast<double>(x.at(n, c, hi, wi)) *
                       w[static_cast<size_t>(((o * cin + c) * k + a) * k + b)];
              }
          y.data[static_cast<size_t>(((n * cout + o) * oh + i) * ow + j)] = static_cast<float>(acc);
        }
  return y;
}

// y[j] = sum_k a[k] * B[j][k] + c[j]   (transB = 1, one row)
std::vector<float> gemm_tb(const std::vector<float>& a, const std::vector<float>& b,
                           const std::vector<float>& c, size_t n_out) {
  const size_t k_in = a.size();
  std::vector<float> y(n_out);
  for (size_t j = 0; j < n_out; ++j) {
    double acc = c[j];
    for (size_t k = 0; k < k_in; ++k) acc += static_cast<double>(a[k]) * b[j * k_in + k];
    y[j] = static_cast<float>(acc);
  }
  return y;
}

struct ConvFlattenGemm {
  int64_t cin, hw, cout, k, stride, pad, dense_out;
};

// x -> Conv -> Flatten -> Gemm(transB) -> y, through convert_graph and the
// runtime, against the loops above. Returns the blob's Transpose count.
size_t check_conv_flatten_gemm(const ConvFlattenGemm& p, uint32_t seed) {
  GraphMaker m;
  m.input("x", {1, p.cin, p.hw, p.hw});
  m.weights("w", {p.cout, p.cin, p.k, p.k}, seed);
  m.weights("b", {p.cout}, seed + 1);
  m.node("Conv", "conv", {"x", "w", "b"}, {"c"},
         {{"pads", attr_ints({p.pad, p.pad, p.pad, p.pad})},
          {"strides", attr_ints({p.stride, p.stride})}});
  m.node("Flatten", "flatten", {"c"}, {"f"});
  const int64_t oh = (p.hw + 2 * p.pad - p.k) / p.stride + 1;
  const int64_t flat = p.cout * oh * oh;
  m.weights("fw", {p.dense_out, flat}, seed + 2);
  m.weights("fb", {p.dense_out}, seed + 3);
  m.node("Gemm", "fc", {"f", "fw", "fb"}, {"y"}, {{"transB", attr_int(1)}});
  m.output("y");
  const std::vector<float> w = m.g.value("w").f, b = m.g.value("b").f;
  const std::vector<float> fw = m.g.value("fw").f, fb = m.g.value("fb").f;

  BlobRunner r(convert::convert_graph(m.g));
  for (uint32_t trial = 0; trial < 3; ++trial) {
    Tensor4 x{{1, p.cin, p.hw, p.hw},
              random_floats(static_cast<size_t>(p.cin * p.hw * p.hw), seed + 10 + trial)};
    const Tensor4 c = conv_nchw(x, w, p.cout, p.k, b, p.stride, p.pad);
    const auto want = gemm_tb(c.data, fw, fb, static_cast<size_t>(p.dense_out));
    const auto got = r.run({x.data}).at(0);
    CHECK(max_rel_diff(got, want) <= 1e-5);
  }
  return r.count_ops(format::OpType::kTranspose);
}

TEST_CASE("converter: layout: Conv -> Flatten -> Gemm matches NCHW loops (C > 1, H*W > 1)") {
  // One input channel: the input needs no transpose; the conv output (3
  // channels, 3x3) must go back to NCHW before Flatten: exactly one Transpose.
  CHECK(check_conv_flatten_gemm({1, 5, 3, 3, 2, 1, 4}, 200) == 1);
  // Two input channels: one Transpose in, one back.
  CHECK(check_conv_flatten_gemm({2, 6, 4, 3, 1, 0, 5}, 300) == 2);
}

TEST_CASE("converter: layout: one channel throughout costs no Transpose") {
  CHECK(check_conv_flatten_gemm({1, 6, 1, 3, 1, 1, 4}, 400) == 0);
}

TEST_CASE("converter: layout: Conv -> GlobalAveragePool -> Flatten needs no Transpose") {
  GraphMaker m;
  m.input("x", {1, 1, 6, 6});
  m.weights("w", {3, 1, 3, 3}, 500);
  m.node("Conv", "conv", {"x", "w"}, {"c"}, {{"pads", attr_ints({1, 1, 1, 1})}});
  m.node("GlobalAveragePool", "gap", {"c"}, {"g"});
  m.node("Flatten", "flatten", {"g"}, {"y"});
  m.output("y");
  const std::vector<float> w = m.g.value("w").f;
  BlobRunner r(convert::convert_graph(m.g));
  CHECK(r.count_ops(format::OpType::kTranspose) == 0);
  const Tensor4 x{{1, 1, 6, 6}, random_floats(36, 501)};
  const Tensor4 c = conv_nchw(x, w, 3, 3, {}, 1, 1);
  std::vector<float> want(3, 0.0f);
  for (int64_t o = 0; o < 3; ++o) {
    double s = 0;
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 0; j < 6; ++j) s += c.at(0, o, i, j);
    want[static_cast<size_t>(o)] = static_cast<float>(s / 36.0);
  }
  CHECK(max_rel_diff(r.run({x.data}).at(0), want) <= 1e-5);
}

}  // namespace
}  // namespace edgeae
