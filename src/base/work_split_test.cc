#include "base/work_split.h"

#include <gtest/gtest.h>

namespace ember {
namespace {

TEST(WorkSplit, SmallWorkStaysOnOneTask) {
  const int64_t min = 1000;
  EXPECT_EQ(SplitCount(0, min, 2, 100), 1);
  EXPECT_EQ(SplitCount(999, min, 2, 100), 1);
  // Two tasks only when each gets the minimum.
  EXPECT_EQ(SplitCount(1999, min, 2, 100), 1);
  EXPECT_EQ(SplitCount(2000, min, 2, 100), 2);
  EXPECT_EQ(SplitCount(1'000'000, min, 2, 100), 2);
  // Three threads: a third task once three minimums fit.
  EXPECT_EQ(SplitCount(2999, min, 3, 100), 2);
  EXPECT_EQ(SplitCount(3000, min, 3, 100), 3);
}

TEST(WorkSplit, CappedByThreadsAndPieces) {
  EXPECT_EQ(SplitCount(1 << 30, 1000, 1, 100), 1);
  EXPECT_EQ(SplitCount(1 << 30, 1000, 8, 100), 8);
  EXPECT_EQ(SplitCount(1 << 30, 1000, 8, 3), 3);  // only 3 pieces
  EXPECT_EQ(SplitCount(1 << 30, 1000, 8, 0), 1);
  EXPECT_EQ(SplitCount(1 << 30, 1000, 0, 100), 1);  // bad thread count
}

TEST(WorkSplit, SplitSmallWorkIgnoresTheMinimum) {
  EXPECT_EQ(SplitCount(10, 1000, 2, 100, /*split_small_work=*/true), 2);
  EXPECT_EQ(SplitCount(10, 1000, 4, 3, true), 3);
  EXPECT_EQ(SplitCount(0, 1000, 4, 0, true), 1);
}

TEST(WorkSplit, ConstantsKeepTinyLayersWhole) {
  // A 64x64x64 product (262k MACs, a ViT-tiny projection) is not split on
  // two threads; a 1x1 conv of 56x56x64 -> 64 (12.8M MACs) is.
  EXPECT_EQ(SplitCount(int64_t{64} * 64 * 64, kMinMacsPerTask, 2, 100), 1);
  EXPECT_EQ(SplitCount(int64_t{56} * 56 * 64 * 64, kMinMacsPerTask, 2, 100), 2);
  EXPECT_GT(kTinyModelMacs, kMinMacsPerTask);
}

TEST(WorkSplit, AxisGivesEvenChunks) {
  // 11 row tiles on 2 tasks is 6 + 5; 4 panels is 2 + 2: columns.
  EXPECT_EQ(ChooseSplitAxis(11, 4, 2), SplitAxis::kColumns);
  // Even rows win ties (each task reads only its rows).
  EXPECT_EQ(ChooseSplitAxis(8, 4, 2), SplitAxis::kRows);
  EXPECT_EQ(ChooseSplitAxis(100, 100, 2), SplitAxis::kRows);
  // A single panel cannot be split: rows, however uneven.
  EXPECT_EQ(ChooseSplitAxis(3, 1, 2), SplitAxis::kRows);
  // A single row tile (one-row FULLY_CONNECTED): columns.
  EXPECT_EQ(ChooseSplitAxis(1, 6, 2), SplitAxis::kColumns);
  // 3 tasks: 7 rows -> 3+2+2 (9/7), 6 panels -> 2+2+2: columns.
  EXPECT_EQ(ChooseSplitAxis(7, 6, 3), SplitAxis::kColumns);
  // Many rows: 1001 rows on 2 tasks is nearly even; 3 panels is 2 + 1.
  EXPECT_EQ(ChooseSplitAxis(1001, 3, 2), SplitAxis::kRows);
  // Neither axis has enough pieces: the longer one.
  EXPECT_EQ(ChooseSplitAxis(1, 1, 2), SplitAxis::kRows);
  EXPECT_EQ(ChooseSplitAxis(1, 2, 4), SplitAxis::kColumns);
  EXPECT_EQ(ChooseSplitAxis(5, 2, 1), SplitAxis::kRows);
}

}  // namespace
}  // namespace ember
