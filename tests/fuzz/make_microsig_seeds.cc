// Writes the microsig fuzz target's seeds (microsig_fuzz.cc) for each model
// file given: the model signed by the fixed trusted key (mode byte 0, the
// file as it arrives), the same unsigned, and the model alone for the
// target to sign and tamper with (mode byte 1, position 0, mask 0).
//   ember_microsig_seeds OUT_DIR MODEL...
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/status.h"
#include "fuzz/microsig_keys.h"
#include "trust/signature.h"

namespace {

bool Write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ember;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR MODEL...\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::vector<uint8_t> model((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (!in.eof() && !in) {
      std::fprintf(stderr, "%s: cannot read\n", argv[i]);
      return 1;
    }
    ErrorReporter errors;
    std::vector<uint8_t> trailer;
    if (!trust::SignModel(model.data(), model.size(), fuzz::Keys().secret,
                          errors, &trailer)
             .ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[i], errors.message());
      return 1;
    }
    std::string name = argv[i];
    name = name.substr(name.find_last_of('/') + 1);
    std::vector<uint8_t> as_file{0};
    as_file.insert(as_file.end(), model.begin(), model.end());
    std::vector<uint8_t> tamper{1, 0, 0, 0, 0, 0};
    tamper.insert(tamper.end(), model.begin(), model.end());
    if (!Write(out + "/unsigned_" + name, as_file)) return 1;
    as_file.insert(as_file.end(), trailer.begin(), trailer.end());
    if (!Write(out + "/signed_" + name, as_file) ||
        !Write(out + "/tamper_" + name, tamper)) {
      std::fprintf(stderr, "%s: cannot write\n", out.c_str());
      return 1;
    }
  }
  return 0;
}
