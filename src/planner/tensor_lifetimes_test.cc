#include "planner/tensor_lifetimes.h"

#include <gtest/gtest.h>

#include <vector>

namespace ember {
namespace {

// A chain x(0) -> op0 -> a(1) -> op1 -> b(2) -> op2 -> y(3); op1 also reads
// the weight w(4), which is a constant (not in the arena).
struct Chain {
  std::vector<int32_t> in0{0}, out0{1};
  std::vector<int32_t> in1{1, 4}, out1{2};
  std::vector<int32_t> in2{2}, out2{3};
  std::vector<int32_t> inputs{0}, outputs{3};

  LifetimeGraph Graph() const {
    LifetimeGraph g;
    g.in_arena = {true, true, true, true, false};
    g.steps = {{in0, out0, {}}, {in1, out1, {}}, {in2, out2, {}}};
    g.graph_inputs = inputs;
    g.graph_outputs = outputs;
    return g;
  }
};

void ExpectLife(const TensorLifetime& l, int32_t first, int32_t last,
                const char* what) {
  EXPECT_EQ(l.first_use, first) << what;
  EXPECT_EQ(l.last_use, last) << what;
}

TEST(TensorLifetimes, FirstAndLastUse) {
  Chain c;
  const auto life = ComputeTensorLifetimes(c.Graph());
  ASSERT_EQ(life.size(), 5u);
  ExpectLife(life[1], 0, 1, "a: written by op0, read by op1");
  ExpectLife(life[2], 1, 2, "b: written by op1, read by op2");
}

TEST(TensorLifetimes, InputsAndOutputsArePinned) {
  Chain c;
  const auto life = ComputeTensorLifetimes(c.Graph());
  // Callers write inputs before step 0 and read them back after the run;
  // outputs are read after the run (step 3 = after the last step).
  ExpectLife(life[0], 0, 3, "input x");
  ExpectLife(life[3], 2, 3, "output y");
}

TEST(TensorLifetimes, TensorsOutsideTheArenaGetNone) {
  Chain c;
  LifetimeGraph g = c.Graph();
  // A variable (own persistent storage) read and written by op1.
  g.in_arena.push_back(false);
  std::vector<int32_t> in1{1, 4, 5}, out1{2, 5};
  g.steps[1] = {in1, out1, {}};
  const auto life = ComputeTensorLifetimes(g);
  EXPECT_FALSE(life[4].used()) << "constant";
  EXPECT_FALSE(life[5].used()) << "variable";
}

TEST(TensorLifetimes, SkippedStepsKeepNothingAlive) {
  Chain c;
  LifetimeGraph g = c.Graph();
  g.steps[1].skipped = true;  // op1 folded: a is written but never read
  const auto life = ComputeTensorLifetimes(g);
  ExpectLife(life[1], 0, 0, "a");
  ExpectLife(life[2], 2, 2, "b: only op2 uses it");
}

TEST(TensorLifetimes, AbsentOptionalInputsAndIntermediates) {
  Chain c;
  LifetimeGraph g = c.Graph();
  g.in_arena.push_back(true);  // tensor 5: op2's intermediate
  std::vector<int32_t> in2{2, -1}, temps{5};
  g.steps[2] = {in2, c.out2, temps};
  const auto life = ComputeTensorLifetimes(g);
  ExpectLife(life[5], 2, 2, "intermediate");
  ExpectLife(life[2], 1, 2, "b");
}

TEST(TensorLifetimes, UnusedOutputStillLivesToTheEnd) {
  // An output no step writes (the caller's own buffer) is alive throughout.
  std::vector<int32_t> outputs{0};
  LifetimeGraph g;
  g.in_arena = {true};
  g.steps.resize(2);
  g.graph_outputs = outputs;
  const auto life = ComputeTensorLifetimes(g);
  ExpectLife(life[0], 0, 2, "output");
}

TEST(TensorLifetimes, PreserveAllTensorsKeepsEveryUsedTensor) {
  Chain c;
  LifetimeGraph g = c.Graph();
  g.in_arena.push_back(true);  // tensor 5: in the arena but never touched
  g.preserve_all_tensors = true;
  const auto life = ComputeTensorLifetimes(g);
  for (int32_t t : {0, 1, 2, 3}) ExpectLife(life[t], 0, 3, "used tensor");
  EXPECT_FALSE(life[4].used()) << "constant";
  EXPECT_FALSE(life[5].used()) << "untouched tensor";
}

}  // namespace
}  // namespace ember
