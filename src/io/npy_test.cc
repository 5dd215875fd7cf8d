#include "io/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace ember {
namespace {

// A version-1 .npy file: magic, version, header length, header, data.
std::vector<uint8_t> Npy(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  b.push_back(static_cast<uint8_t>(header.size()));
  b.push_back(static_cast<uint8_t>(header.size() >> 8));
  b.insert(b.end(), header.begin(), header.end());
  for (size_t i = 0; i < data_bytes; ++i) b.push_back(static_cast<uint8_t>(i));
  return b;
}

TEST(Npy, ParsesShapeTypeAndData) {
  const auto b =
      Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 24);
  NpyArray a;
  ErrorReporter errors;
  ASSERT_TRUE(ParseNpy(b.data(), b.size(), &a, errors).ok());
  EXPECT_EQ(a.type, DataType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(a.data.size(), 24u);
  EXPECT_EQ(a.data[23], 23);
}

// Found by ember_npy_fuzz: the element count was multiplied before the size
// check, and 394445671488 * 22220000000 overflowed int64 (UBSan).
TEST(Npy, HugeShapeIsRefusedWithoutOverflow) {
  const auto b =
      Npy("{'descr': '<u1', 'fortran_order': False, 'shape': (13, 12, 22212, "
          "222, 2222, 22220000000), }\n",
          16);
  NpyArray a;
  ErrorReporter errors;
  const Status s = ParseNpy(b.data(), b.size(), &a, errors);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(errors.message()).find("too large"), std::string::npos)
      << errors.message();
}

TEST(Npy, BadFilesGetClearErrors) {
  NpyArray a;
  ErrorReporter errors;
  auto message = [&](const std::vector<uint8_t>& b) {
    const Status s = ParseNpy(b.data(), b.size(), &a, errors);
    EXPECT_FALSE(s.ok());
    return std::string(errors.message());
  };
  EXPECT_NE(message(Npy("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4,), }",
                        15))
                .find("truncated"),
            std::string::npos);
  EXPECT_NE(message(Npy("{'descr': '>f4', 'fortran_order': False, "
                        "'shape': (1,), }",
                        4))
                .find("not supported"),
            std::string::npos);
  EXPECT_NE(message(Npy("{'descr': '<f4', 'fortran_order': True, "
                        "'shape': (1,), }",
                        4))
                .find("Fortran"),
            std::string::npos);
  const std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_FALSE(ParseNpy(junk.data(), junk.size(), &a, errors).ok());
}

}  // namespace
}  // namespace ember
