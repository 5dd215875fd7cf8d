// The C++ twin of run_model.c, over the RAII wrappers (ember/ember.hpp):
// loads a model, fills inputs with zeros, invokes, prints output shapes;
// then does the same through each signature runner.
//
//   ember_cpp_example model.tflite
#include <cstdio>
#include <string>
#include <vector>

#include "ember/ember.hpp"

namespace {

std::string ShapeString(const ember::api::Tensor& t) {
  std::string s = "[";
  for (int32_t d : t.shape()) s += (s.size() > 1 ? ", " : "") + std::to_string(d);
  return s + "]";
}

void PrintTensor(const char* what, const ember::api::Tensor& t) {
  std::printf("%s '%s' %s %s", what, t.name(), t.type_name(),
              ShapeString(t).c_str());
  if (auto values = t.data<float>(); values.ok()) {
    std::printf(":");
    size_t k = 0;
    for (float v : *values) {
      if (k++ == 8) {
        std::printf(" ...");
        break;
      }
      std::printf(" %g", v);
    }
  }
  std::printf("\n");
}

int Fail(const char* what, const ember::api::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ember::api;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s model.tflite\n", argv[0]);
    return 2;
  }
  auto model = Model::FromFile(argv[1]);
  if (!model.ok()) return Fail("load", model.status());
  auto interp = Interpreter::Create(*model);
  if (!interp.ok()) return Fail("interpreter", interp.status());
  if (Status s = interp->AllocateTensors(); !s.ok()) return Fail("allocate", s);
  for (int i = 0; i < interp->num_inputs(); ++i) {
    Tensor in = interp->input(i);
    std::vector<unsigned char> zeros(in.byte_size(), 0);
    if (Status s = in.CopyFromBytes(zeros.data(), zeros.size()); !s.ok())
      return Fail("fill input", s);
  }
  if (Status s = interp->Invoke(); !s.ok()) return Fail("invoke", s);
  for (int i = 0; i < interp->num_outputs(); ++i)
    PrintTensor("output", interp->output(i));

  for (const std::string& key : interp->signature_keys()) {
    auto runner = interp->GetSignatureRunner(key);
    if (!runner.ok()) return Fail("signature", runner.status());
    if (Status s = runner->AllocateTensors(); !s.ok())
      return Fail("allocate signature", s);
    for (const std::string& name : runner->input_names()) {
      auto in = runner->input(name);
      if (!in.ok()) return Fail("signature input", in.status());
      std::vector<unsigned char> zeros(in->byte_size(), 0);
      if (Status s = in->CopyFromBytes(zeros.data(), zeros.size()); !s.ok())
        return Fail("fill signature input", s);
    }
    if (Status s = runner->Invoke(); !s.ok()) return Fail("invoke signature", s);
    for (const std::string& name : runner->output_names()) {
      auto out = runner->output(name);
      if (!out.ok()) return Fail("signature output", out.status());
      std::printf("signature '%s' ", key.c_str());
      PrintTensor("output", *out);
    }
  }
  return 0;
}
