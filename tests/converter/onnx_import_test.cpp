// Hostile and malformed ONNX files through the importer and the whole
// converter: every one must end in an ir::ConvertError with a clear one-line
// message (or, where the bytes happen to form a valid model, a conversion),
// never a crash, another exception type, or a sanitizer report.
#include "onnx_import/onnx_import.hpp"

#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "convert.hpp"
#include "edgeae/edgeae.hpp"

namespace edgeae {
namespace {

namespace fs = std::filesystem;

// --------------------------------------------------------------- model builder

void set_shape(onnx::ValueInfoProto* vi, const std::string& name,
               const std::vector<std::string>& dims, int32_t elem = onnx::TensorProto::FLOAT) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (const std::string& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && (std::isdigit(static_cast<unsigned char>(d[0])) || d[0] == '-'))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}

onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                               bool raw = true) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t.add_dims(d);
    n *= d;
  }
  std::vector<float> data(static_cast<size_t>(n));
  for (size_t k = 0; k < data.size(); ++k) data[k] = 0.25f * static_cast<float>(k) - 1.0f;
  if (raw)
    t.set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size() * 4));
  else
    for (float f : data) t.add_float_data(f);
  return t;
}

onnx::TensorProto int64_tensor(const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<int64_t>& data) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : data) t.add_int64_data(v);
  return t;
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, const std::string& name,
                          const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

void add_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void add_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// X [1,4] -> MatMul(W [4,3]) -> Add(B [3]) -> Relu -> Y [1,3]
onnx::ModelProto valid_model(int64_t opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("edgeae-test");
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  set_shape(g->add_input(), "X", {"1", "4"});
  *g->add_initializer() = float_tensor("W", {4, 3});
  *g->add_initializer() = float_tensor("B", {3}, false);
  add_node(g, "MatMul", "mm", {"X", "W"}, {"XW"});
  add_node(g, "Add", "add", {"XW", "B"}, {"Z"});
  add_node(g, "Relu", "relu", {"Z"}, {"Y"});
  set_shape(g->add_output(), "Y", {"1", "3"});
  return m;
}

std::string bytes_of(const onnx::ModelProto& m) {
  std::string s;
  REQUIRE(m.SerializeToString(&s));
  return s;
}

// The outcome of importing and converting `bytes`: "" on success, the
// ConvertError message otherwise. Any other exception fails the test.
std::string convert_bytes(const std::string& bytes, const onnx_import::ImportOptions& opts = {}) {
  try {
    ir::Graph g = onnx_import::import_bytes(bytes, "model.onnx", opts);
    const blob::Blob b = convert::convert_graph(std::move(g));
    Model model;
    const Status s = model.load(b.bytes.data(), b.bytes.size());
    const std::string refused =
        std::string("the converter wrote a blob the loader refuses: ") + s.message;
    CHECK_MESSAGE(s.ok(), refused);
    return "";
  } catch (const ir::ConvertError& e) {
    const std::string msg = e.what();
    CHECK_FALSE(msg.empty());
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
  } catch (const std::exception& e) {
    const std::string what =
        std::string("not a ConvertError: ") + typeid(e).name() + ": " + e.what();
    FAIL_CHECK(what);
  }
  return "(unreachable)";
}

std::string convert_model(const onnx::ModelProto& m, const onnx_import::ImportOptions& opts = {}) {
  return convert_bytes(bytes_of(m), opts);
}

template <typename T>
std::string text(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t k = 0; k < v.size(); ++k) {
    std::ostringstream o;
    o << v[k];
    s += (k ? "," : "") + o.str();
  }
  return s + "]";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "edgeae_onnx_test.XXXXXX").string();
    REQUIRE(mkdtemp(templ.data()) != nullptr);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name, const std::string& contents) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << contents;
    return p;
  }

 private:
  fs::path path_;
};

// ------------------------------------------------------------------ the tests

TEST_CASE("converter: onnx import: the reference model converts") {
  CHECK(convert_model(valid_model()) == "");
  const ir::Graph g = onnx_import::import_bytes(bytes_of(valid_model()), "m");
  CHECK(g.opset == 13);
  CHECK(g.inputs == std::vector<std::string>{"X"});
  CHECK(g.outputs == std::vector<std::string>{"Y"});
  CHECK(g.nodes.size() == 3);
  CHECK(g.value("W").f.size() == 12);
  CHECK(g.value("B").f == std::vector<float>{-1.0f, -0.75f, -0.5f});
}

TEST_CASE("converter: onnx import: an empty file") {
  CHECK(contains(convert_bytes(""), "not an ONNX model"));
  TempDir dir;
  const std::string path = dir.file("empty.onnx", "");
  try {
    convert::convert_onnx_file(path);
    FAIL("no error");
  } catch (const ir::ConvertError& e) {
    CHECK(contains(e.what(), "empty.onnx"));
    CHECK(contains(e.what(), "not an ONNX model"));
  }
}

TEST_CASE("converter: onnx import: random bytes") {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    std::string bytes(1 + rng() % 2048, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
    CAPTURE(seed);
    CHECK(convert_bytes(bytes) != "");
  }
}

TEST_CASE("converter: onnx import: a valid model truncated at every length") {
  const std::string full = bytes_of(valid_model());
  REQUIRE(convert_bytes(full) == "");
  size_t failed = 0;
  for (size_t len = 0; len < full.size(); ++len) {
    CAPTURE(len);
    failed += convert_bytes(full.substr(0, len)) != "";
  }
  // A prefix lacks at least the graph or the opset: none of them may convert.
  CHECK(failed == full.size());
}

TEST_CASE("converter: onnx import: every single-byte corruption fails cleanly or converts") {
  const std::string full = bytes_of(valid_model());
  for (size_t at = 0; at < full.size(); ++at) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      std::string bad = full;
      bad[at] = static_cast<char>(static_cast<uint8_t>(bad[at]) ^ flip);
      CAPTURE(at);
      CAPTURE(static_cast<int>(flip));
      convert_bytes(bad);  // checks the exception type and message shape
    }
  }
}

TEST_CASE("converter: onnx import: opsets outside 1..17") {
  for (int64_t opset : {int64_t{18}, int64_t{0}, int64_t{-1}}) {
    CAPTURE(opset);
    const std::string msg = convert_model(valid_model(opset));
    CHECK(contains(msg, "opset " + std::to_string(opset)));
    CHECK(contains(msg, "supported opsets are 1 to 17"));
  }
  onnx::ModelProto none = valid_model();
  none.clear_opset_import();
  CHECK(contains(convert_model(none), "opset 0"));
  // Only a custom domain's opset: the default domain's is still missing.
  onnx::ModelProto custom = valid_model();
  custom.mutable_opset_import(0)->set_domain("com.example");
  CHECK(contains(convert_model(custom), "opset 0"));
}

TEST_CASE("converter: onnx import: an initializer with data_location EXTERNAL") {
  onnx::ModelProto m = valid_model();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* e = w->add_external_data();
  e->set_key("location");
  e->set_value("weights.bin");
  const std::string msg = convert_model(m);
  CHECK(contains(msg, "'W'"));
  CHECK(contains(msg, "external"));
}

TEST_CASE("converter: onnx import: an initializer whose data size disagrees with its dims") {
  SUBCASE("raw_data too short") {
    onnx::ModelProto m = valid_model();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->set_raw_data(w->raw_data().substr(0, 40));
    const std::string msg = convert_model(m);
    CHECK(contains(msg, "'W'"));
    CHECK(contains(msg, "raw_data holds 40 bytes"));
    CHECK(contains(msg, "48"));
  }
  SUBCASE("raw_data too long") {
    onnx::ModelProto m = valid_model();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->set_raw_data(w->raw_data() + std::string(4, '\0'));
    CHECK(contains(convert_model(m), "raw_data holds 52 bytes"));
  }
  SUBCASE("float_data count") {
    onnx::ModelProto m = valid_model();
    m.mutable_graph()->mutable_initializer(1)->add_float_data(1.0f);
    const std::string msg = convert_model(m);
    CHECK(contains(msg, "'B'"));
    CHECK(contains(msg, "holds 4 values"));
  }
}

TEST_CASE("converter: onnx import: negative and huge initializer dims") {
  for (const std::vector<int64_t>& dims :
       {std::vector<int64_t>{-4, 3}, std::vector<int64_t>{4, -3},
        std::vector<int64_t>{int64_t{1} << 40, 3}, std::vector<int64_t>{1 << 20, 1 << 20, 1 << 20},
        std::vector<int64_t>{0, int64_t{1} << 62, int64_t{1} << 62}}) {
    INFO(text(dims));
    onnx::ModelProto m = valid_model();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_dims();
    for (int64_t d : dims) w->add_dims(d);
    const std::string msg = convert_model(m);
    CHECK(msg != "");
    CHECK(contains(msg, "'W'"));
  }
}

onnx::ModelProto relu_model(const std::vector<std::string>& dims) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  set_shape(g->add_input(), "X", dims);
  add_node(g, "Relu", "relu", {"X"}, {"Y"});
  set_shape(g->add_output(), "Y", dims);
  return m;
}

TEST_CASE("converter: onnx import: huge or negative input dims fail cleanly") {
  for (const std::vector<std::string>& dims :
       {std::vector<std::string>{"1", "1099511627776"},  // 2^40
        std::vector<std::string>{"1", "4294967296"},     // 2^32
        std::vector<std::string>{"1", "-4"}}) {
    INFO(text(dims));
    CHECK(convert_model(relu_model(dims)) != "");
  }
}

// Regression test, the bug was (converters/onnx_import/onnx_import.cpp, input_shape/import_bytes):
// graph input dims are not bounded the way initializer dims are (kMaxElements
// = 2^31 in value_from_tensor). An input [65536,65536,65536,65536] (each dim
// fits the blob's uint32, but the 2^64 element count wraps to 0 in 64 bits)
// converts without error into a blob that Model::load then refuses with
// "tensor byte size differs from its shape". Expected: a ConvertError naming
// input 'X'.
TEST_CASE("converter: onnx import: input dims whose element count overflows are rejected") {
  const std::string msg = convert_model(relu_model({"65536", "65536", "65536", "65536"}));
  CHECK(contains(msg, "'X'"));
}

TEST_CASE("converter: onnx import: unsupported tensor data types") {
  for (int32_t type : {int32_t{onnx::TensorProto::UINT8}, int32_t{onnx::TensorProto::FLOAT16},
                       int32_t{onnx::TensorProto::STRING}}) {
    CAPTURE(type);
    onnx::ModelProto m = valid_model();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->set_data_type(type);
    const std::string msg = convert_model(m);
    CHECK(contains(msg, "'W'"));
    CHECK(contains(msg, "data type " + std::to_string(type) + " is not supported"));
  }
  // A non-float graph input.
  for (int32_t type : {int32_t{onnx::TensorProto::UINT8}, int32_t{onnx::TensorProto::FLOAT16}}) {
    onnx::ModelProto m = valid_model();
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(type);
    const std::string msg = convert_model(m);
    CHECK(contains(msg, "input 'X'"));
    CHECK(contains(msg, "float32"));
  }
}

TEST_CASE("converter: onnx import: a node reading an undefined value") {
  onnx::ModelProto m = valid_model();
  m.mutable_graph()->mutable_node(1)->set_input(1, "nowhere");
  const std::string msg = convert_model(m);
  CHECK(contains(msg, "node 'add' (Add)"));
  CHECK(contains(msg, "'nowhere'"));
  // Nodes out of topological order.
  onnx::ModelProto swapped = valid_model();
  swapped.mutable_graph()->mutable_node()->SwapElements(0, 2);
  CHECK(contains(convert_model(swapped), "not defined before it"));
  // A node reading its own output.
  onnx::ModelProto loop = valid_model();
  add_node(loop.mutable_graph(), "Add", "selfish", {"Y", "L"}, {"L"});
  CHECK(convert_model(loop) != "");
}

TEST_CASE("converter: onnx import: duplicate output names") {
  onnx::ModelProto m = valid_model();
  add_node(m.mutable_graph(), "Sigmoid", "again", {"Z"}, {"Y"});
  const std::string msg = convert_model(m);
  CHECK(contains(msg, "node 'again' (Sigmoid)"));
  CHECK(contains(msg, "'Y' is defined twice"));
  // An output that shadows an initializer.
  onnx::ModelProto m2 = valid_model();
  m2.mutable_graph()->mutable_node(0)->set_output(0, "W");
  CHECK(contains(convert_model(m2), "defined twice"));
  // A graph output that nothing produces.
  onnx::ModelProto m3 = valid_model();
  m3.mutable_graph()->mutable_output(0)->set_name("ghost");
  CHECK(contains(convert_model(m3), "'ghost' is never produced"));
}

TEST_CASE("converter: onnx import: a custom domain op") {
  onnx::ModelProto m = valid_model();
  m.mutable_graph()->mutable_node(2)->set_domain("com.microsoft");
  const std::string msg = convert_model(m);
  CHECK(contains(msg, "node 'relu'"));
  CHECK(contains(msg, "com.microsoft"));
}

TEST_CASE(
    "converter: onnx import: an unsupported op names the node, the op and the supported ops") {
  onnx::ModelProto m = valid_model();
  m.mutable_graph()->mutable_node(2)->set_op_type("Softmax");
  const std::string msg = convert_model(m);
  CHECK(contains(msg, "node 'relu' (Softmax)"));
  CHECK(contains(msg, "supported ops"));
}

TEST_CASE("converter: onnx import: an attribute of the wrong kind") {
  onnx::ModelProto m = valid_model();
  auto* g = m.mutable_graph();
  g->mutable_node(2)->set_op_type("LeakyRelu");
  add_int(g->mutable_node(2), "alpha", 3);  // alpha must be a float
  const std::string msg = convert_model(m);
  CHECK(contains(msg, "'alpha'"));
  CHECK(contains(msg, "float"));
}

TEST_CASE("converter: onnx import: a symbolic non-batch dim needs --input-shape") {
  auto symbolic = [] {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    set_shape(g->add_input(), "X", {"batch", "length"});
    add_node(g, "Relu", "relu", {"X"}, {"Y"});
    set_shape(g->add_output(), "Y", {"batch", "length"});
    return m;
  };
  const std::string msg = convert_model(symbolic());
  CHECK(contains(msg, "input 'X'"));
  CHECK(contains(msg, "'length'"));
  CHECK(contains(msg, "--input-shape"));

  onnx_import::ImportOptions opts;
  opts.input_shapes["X"] = {2, 7};
  CHECK(convert_model(symbolic(), opts) == "");
  const ir::Graph g = onnx_import::import_bytes(bytes_of(symbolic()), "m", opts);
  CHECK(g.value("X").shape == std::vector<int64_t>{2, 7});

  // No shape at all.
  onnx::ModelProto shapeless = symbolic();
  shapeless.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  CHECK(contains(convert_model(shapeless), "--input-shape"));
}

TEST_CASE("converter: onnx import: a symbolic batch dim becomes 1") {
  onnx::ModelProto m = valid_model();
  auto* dim = m.mutable_graph()
                  ->mutable_input(0)
                  ->mutable_type()
                  ->mutable_tensor_type()
                  ->mutable_shape()
                  ->mutable_dim(0);
  dim->set_dim_param("N");
  const ir::Graph g = onnx_import::import_bytes(bytes_of(m), "m");
  CHECK(g.value("X").shape == std::vector<int64_t>{1, 4});
  CHECK(convert_model(m) == "");
}

TEST_CASE("converter: onnx import: a missing file") {
  const std::string path = "/nonexistent-edgeae-dir/model.onnx";
  try {
    convert::convert_onnx_file(path);
    FAIL("no error");
  } catch (const ir::ConvertError& e) {
    CHECK(contains(e.what(), path));
    CHECK(contains(e.what(), "cannot open"));
  }
  // A directory is not a model either.
  try {
    convert::convert_onnx_file(fs::temp_directory_path().string());
    FAIL("no error");
  } catch (const ir::ConvertError& e) {
    CHECK(contains(e.what(), fs::temp_directory_path().string()));
  }
}

TEST_CASE("converter: onnx import: a model file on disk converts like its bytes") {
  TempDir dir;
  const std::string path = dir.file("ok.onnx", bytes_of(valid_model()));
  const blob::Blob b = convert::convert_onnx_file(path);
  Model model;
  REQUIRE(model.load(b.bytes.data(), b.bytes.size()).ok());
  CHECK(model.input(0).element_count() == 4);
  CHECK(model.output(0).element_count() == 3);
}

// ---------------------------------------------------- hostile constant subgraphs

// The reference model plus extra nodes computing constants (which infer_shapes
// folds whether or not anything reads them).
onnx::ModelProto with_constant_nodes(const std::function<void(onnx::GraphProto*)>& add) {
  onnx::ModelProto m = valid_model();
  add(m.mutable_graph());
  return m;
}

TEST_CASE("converter: onnx import: Gather of a constant with an out-of-range index") {
  const std::string msg = convert_model(with_constant_nodes([](onnx::GraphProto* g) {
    *g->add_initializer() = int64_tensor("idx", {1}, {7});
    add_node(g, "Gather", "gather", {"W", "idx"}, {"G"});
  }));
  CHECK(contains(msg, "node 'gather' (Gather)"));
  CHECK(contains(msg, "index out of range"));
}

// The cases below all live in converters/passes/constant_folding.cpp,
// try_fold, which trusts the shapes and types of constant inputs. Each lets
// a std:: exception escape instead of an ir::ConvertError naming the node
// (the CLI prints e.g. "vector::_M_range_check: __n (which is 0) >= this->size()
// (which is 0)"), or, worse, reads out of bounds and converts garbage.

// Regression test, the bug was (try_fold, Gather): float indices -> idx_v.i is empty ->
// std::out_of_range from idx_v.i.at(). Expected: ConvertError "node 'gather_f' (Gather): ...".
TEST_CASE("converter: onnx import: Gather of a constant with float indices") {
  const std::string msg = convert_model(with_constant_nodes([](onnx::GraphProto* g) {
    *g->add_initializer() = float_tensor("fidx", {2});
    add_node(g, "Gather", "gather_f", {"W", "fidx"}, {"G"});
  }));
  CHECK(contains(msg, "gather_f"));
}

// Regression test, the bug was (try_fold, Transpose): perm is not checked to be a permutation (the
// non-constant path in infer_shapes does check). perm [0,5] and [-1,0] throw
// std::out_of_range from x.shape.at(); perm [0,0] on W [4,3] converts
// silently, gathering from source index i*3 + j*3 — beyond the 12 elements
// for i, j = 3, 2 (AddressSanitizer: heap-buffer-overflow in element(),
// constant_folding.cpp:32). Expected: ConvertError
// "node 'bad_perm' (Transpose): perm is not a permutation".
TEST_CASE("converter: onnx import: Transpose of a constant with a bad perm") {
  for (const std::vector<int64_t>& perm :
       {std::vector<int64_t>{0, 5}, std::vector<int64_t>{0, 0}, std::vector<int64_t>{-1, 0}}) {
    INFO(text(perm));
    const std::string msg = convert_model(with_constant_nodes([&](onnx::GraphProto* g) {
      add_ints(add_node(g, "Transpose", "bad_perm", {"W"}, {"T"}), "perm", perm);
    }));
    CHECK(contains(msg, "bad_perm"));
  }
}

// Regression test, the bug was (try_fold, Concat): only the ranks of the parts are compared, not
// the dims off the concat axis. Concat(W [4,3], narrow [2,1], axis 0) converts silently into a
// [6,3] constant whose last rows read narrow's 2 elements at flat indices up to 1*1 + 2 = 3
// (AddressSanitizer: heap-buffer-overflow in element(), constant_folding.cpp:32). Expected:
// ConvertError "node 'bad_concat' (Concat): inputs differ outside the concat axis".
TEST_CASE("converter: onnx import: Concat of constants that differ off the axis") {
  const std::string msg = convert_model(with_constant_nodes([](onnx::GraphProto* g) {
    *g->add_initializer() = float_tensor("narrow", {2, 1});
    add_int(add_node(g, "Concat", "bad_concat", {"W", "narrow"}, {"C"}), "axis", 0);
  }));
  CHECK(contains(msg, "bad_concat"));
}

// Regression test, the bug was (try_fold, Slice): ends shorter than starts -> std::out_of_range
// from ends.at(k). Expected: ConvertError naming 'bad_slice'.
TEST_CASE("converter: onnx import: Slice of a constant with fewer ends than starts") {
  const std::string msg = convert_model(with_constant_nodes([](onnx::GraphProto* g) {
    *g->add_initializer() = int64_tensor("starts", {2}, {0, 0});
    *g->add_initializer() = int64_tensor("ends", {1}, {2});
    add_node(g, "Slice", "bad_slice", {"W", "starts", "ends"}, {"S"});
  }));
  CHECK(contains(msg, "bad_slice"));
}

// Regression test, the bug was (try_fold, ConstantOfShape): the shape input is used unchecked: [-3]
// throws std::length_error, [2^40] and [2^16,2^16,2^16] try to allocate
// terabytes (std::bad_alloc; under AddressSanitizer an abort). Expected: a
// ConvertError naming 'bad_fill' (negative dim / too large), like the 2^31
// element bound value_from_tensor applies to initializers.
TEST_CASE("converter: onnx import: ConstantOfShape with negative or huge dims") {
  for (const std::vector<int64_t>& shape :
       {std::vector<int64_t>{-3}, std::vector<int64_t>{int64_t{1} << 40},
        std::vector<int64_t>{1 << 16, 1 << 16, 1 << 16}}) {
    INFO(text(shape));
    const std::string msg = convert_model(with_constant_nodes([&](onnx::GraphProto* g) {
      *g->add_initializer() = int64_tensor("shape", {static_cast<int64_t>(shape.size())}, shape);
      add_node(g, "ConstantOfShape", "bad_fill", {"shape"}, {"F"});
    }));
    CHECK(contains(msg, "bad_fill"));
  }
}

}  // namespace
}  // namespace edgeae
