#include "convert/keras/keras_archive.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace ember::convert::keras {
namespace {

// HDF5 prints its own error stack to stderr by default; the reader turns
// every failure into a message instead.
void SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

bool LinkExists(hid_t loc, const std::string& path) {
  // H5Lexists wants every intermediate link to exist: check prefix by prefix.
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string part = path.substr(0, pos);
    if (!part.empty() && part != "/" &&
        H5Lexists(loc, part.c_str(), H5P_DEFAULT) <= 0)
      return false;
    if (pos == std::string::npos) return true;
  }
}

// A string attribute (scalar or 1-D, fixed or variable length) as a list;
// an attribute of another type (Keras writes an empty float array for "no
// weights") or a missing one gives an empty list.
std::vector<std::string> ReadStringAttr(hid_t obj, const char* name) {
  std::vector<std::string> out;
  if (H5Aexists(obj, name) <= 0) return out;
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  if (attr < 0) return out;
  hid_t type = H5Aget_type(attr);
  hid_t space = H5Aget_space(attr);
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  if (H5Tget_class(type) == H5T_STRING && count > 0 && count < (1 << 24)) {
    if (H5Tis_variable_str(type) > 0) {
      std::vector<char*> ptrs(count, nullptr);
      hid_t mem = H5Tcopy(H5T_C_S1);
      H5Tset_size(mem, H5T_VARIABLE);
      H5Tset_cset(mem, H5Tget_cset(type));
      if (H5Aread(attr, mem, ptrs.data()) >= 0) {
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
      }
      H5Tclose(mem);
    } else {
      const size_t len = H5Tget_size(type);
      std::vector<char> buf(len * count + 1, 0);
      if (H5Aread(attr, type, buf.data()) >= 0) {
        for (hssize_t i = 0; i < count; ++i) {
          const char* p = buf.data() + i * len;
          out.emplace_back(p, strnlen(p, len));
        }
      }
    }
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  return out;
}

// Keras splits attributes over 64 KB into name0, name1, ...
std::vector<std::string> ReadChunkedStringAttr(hid_t obj,
                                               const std::string& name) {
  std::vector<std::string> out = ReadStringAttr(obj, name.c_str());
  if (!out.empty()) return out;
  for (int i = 0;; ++i) {
    const std::string part = name + std::to_string(i);
    if (H5Aexists(obj, part.c_str()) <= 0) break;
    auto chunk = ReadStringAttr(obj, part.c_str());
    out.insert(out.end(), chunk.begin(), chunk.end());
  }
  return out;
}

bool ReadDataset(hid_t file, const std::string& path, WeightArray* out,
                 std::string* error) {
  if (!LinkExists(file, path)) {
    *error = "weights file has no dataset '" + path + "'";
    return false;
  }
  hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) {
    *error = "cannot open dataset '" + path + "'";
    return false;
  }
  hid_t space = H5Dget_space(ds);
  hid_t type = H5Dget_type(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  // Integer datasets (Normalization's sample count) are read as floats too.
  bool ok =
      rank >= 0 && rank <= 8 &&
      (H5Tget_class(type) == H5T_FLOAT || H5Tget_class(type) == H5T_INTEGER);
  if (ok) {
    hsize_t dims[8] = {};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    int64_t count = 1;
    out->shape.clear();
    // At most 2^28 floats (1 GiB) per weight, checked before each product
    // so that hostile dims cannot overflow it (found by ember_keras_fuzz).
    constexpr int64_t kMaxCount = int64_t{1} << 28;
    for (int d = 0; d < rank && ok; ++d) {
      if (dims[d] > static_cast<hsize_t>(kMaxCount)) {
        ok = false;
        break;
      }
      const int64_t dim = static_cast<int64_t>(dims[d]);
      out->shape.push_back(dim);
      if (dim != 0 && count > kMaxCount / dim) ok = false;
      count *= ok ? dim : 1;
    }
    if (ok) {
      out->data.resize(count);
      ok = count == 0 || H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                                 H5P_DEFAULT, out->data.data()) >= 0;
    }
  }
  if (!ok) *error = "dataset '" + path + "' is not a readable numeric array";
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(ds);
  return ok;
}

std::vector<std::string> ChildNames(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  hid_t g = H5Gopen2(file, group.c_str(), H5P_DEFAULT);
  if (g < 0) return names;
  H5G_info_t info;
  if (H5Gget_info(g, &info) >= 0) {
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      char buf[1024];
      ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf,
                                     sizeof(buf), H5P_DEFAULT);
      if (n > 0 && n < static_cast<ssize_t>(sizeof(buf)))
        names.emplace_back(buf, n);
    }
  }
  H5Gclose(g);
  return names;
}

bool IsGroup(hid_t file, const std::string& path) {
  H5O_info_t info;
  if (!LinkExists(file, path)) return false;
#if H5_VERSION_GE(1, 12, 0)
  if (H5Oget_info_by_name3(file, path.c_str(), &info, H5O_INFO_BASIC,
                           H5P_DEFAULT) < 0)
#else
  if (H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT) < 0)
#endif
    return false;
  return info.type == H5O_TYPE_GROUP;
}

// .keras layer group: its own vars/0..n, then sub-objects (an RNN's cell,
// MultiHeadAttention's projections) in the order Keras lists their weights.
bool CollectKerasWeights(hid_t file, const std::string& group,
                         std::vector<WeightArray>* out, std::string* error) {
  const std::string vars = group + "/vars";
  if (IsGroup(file, vars)) {
    std::vector<int> indices;
    for (const std::string& n : ChildNames(file, vars)) {
      char* end = nullptr;
      long v = std::strtol(n.c_str(), &end, 10);
      if (end && *end == 0) indices.push_back(static_cast<int>(v));
    }
    std::sort(indices.begin(), indices.end());
    for (int i : indices) {
      WeightArray w;
      if (!ReadDataset(file, vars + "/" + std::to_string(i), &w, error))
        return false;
      out->push_back(std::move(w));
    }
  }
  static const char* kOrder[] = {
      "cell",      "forward_layer", "backward_layer", "query_dense",
      "key_dense", "value_dense",   "output_dense"};
  std::vector<std::string> children = ChildNames(file, group);
  std::vector<std::string> ordered;
  for (const char* k : kOrder)
    if (std::find(children.begin(), children.end(), k) != children.end())
      ordered.push_back(k);
  for (const std::string& c : children)
    if (c != "vars" && c != "layers" &&
        std::find(ordered.begin(), ordered.end(), c) == ordered.end())
      ordered.push_back(c);
  for (const std::string& c : ordered) {
    if (!IsGroup(file, group + "/" + c)) continue;
    if (!CollectKerasWeights(file, group + "/" + c, out, error)) return false;
  }
  return true;
}

std::string JoinScope(const std::vector<std::string>& scope,
                      const std::string& name) {
  std::string key;
  for (const std::string& s : scope) key += s + "/";
  return key + name;
}

}  // namespace

KerasArchive::KerasArchive() { SilenceHdf5(); }

KerasArchive::~KerasArchive() {
  if (file_ >= 0) H5Fclose(file_);
}

bool KerasArchive::Open(const std::string& path, std::string* error) {
  std::ifstream probe(path, std::ios::binary);
  if (!probe) {
    *error = path + ": cannot open (missing file or no permission)";
    return false;
  }
  char magic[8] = {};
  probe.read(magic, sizeof(magic));
  const bool is_zip = magic[0] == 'P' && magic[1] == 'K';
  const bool is_hdf5 = std::memcmp(magic, "\x89HDF\r\n\x1a\n", 8) == 0;
  bool ok;
  if (is_zip) {
    ok = OpenKeras(path, error);
  } else if (is_hdf5) {
    ok = OpenH5(path, error);
  } else {
    *error = "not a Keras file (neither a .keras zip archive nor HDF5)";
    ok = false;
  }
  if (!ok) *error = path + ": " + *error;
  return ok;
}

bool KerasArchive::OpenKeras(const std::string& path, std::string* error) {
  int zerr = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY, &zerr);
  if (zip == nullptr) {
    *error =
        "corrupt .keras archive (libzip error " + std::to_string(zerr) + ")";
    return false;
  }
  auto read_entry = [&](const char* name, std::vector<char>* out) {
    zip_stat_t st;
    if (zip_stat(zip, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
      *error = std::string(".keras archive has no '") + name + "'";
      return false;
    }
    if (st.size > (uint64_t{1} << 32)) {
      *error = std::string("'") + name + "' is too large";
      return false;
    }
    zip_file_t* f = zip_fopen(zip, name, 0);
    out->resize(st.size);
    const bool ok = f != nullptr && zip_fread(f, out->data(), st.size) ==
                                        static_cast<zip_int64_t>(st.size);
    if (f) zip_fclose(f);
    if (!ok)
      *error = std::string("cannot read '") + name + "' (corrupt archive)";
    return ok;
  };
  std::vector<char> config_text;
  bool ok = read_entry("config.json", &config_text) &&
            read_entry("model.weights.h5", &image_);
  zip_close(zip);
  if (!ok) return false;
  config_ =
      nlohmann::json::parse(config_text.begin(), config_text.end(), nullptr,
                            /*allow_exceptions=*/false);
  if (config_.is_discarded() || !config_.is_object()) {
    *error = "config.json is not valid JSON";
    return false;
  }
  // HDF5 copies the image (flags 0): with H5LT_FILE_IMAGE_DONT_COPY, HDF5
  // before 1.14.4 (Debian 12 has 1.10) leaks its callback data on every
  // open (HDFGroup/hdf5#827, found by ember_keras_fuzz under LeakSanitizer).
  // Our copy is dropped right after, so the peak is two copies only here.
  file_ = H5LTopen_file_image(image_.data(), image_.size(), 0);
  std::vector<char>().swap(image_);
  if (file_ < 0) {
    *error = "model.weights.h5 is not a valid HDF5 file";
    return false;
  }
  return IndexKerasVars(error);
}

bool KerasArchive::IndexKerasVars(std::string* error) {
  // Groups are named after the layer class (conv2d, conv2d_1, ...); the
  // layer's own name is the `name` attribute of its vars group.
  std::vector<std::pair<std::string, std::string>> pending = {{"", ""}};
  while (!pending.empty()) {
    auto [group, scope] = pending.back();
    pending.pop_back();
    const std::string layers = group + "/layers";
    if (!IsGroup(file_, layers)) continue;
    for (const std::string& child : ChildNames(file_, layers)) {
      const std::string path = layers + "/" + child;
      std::string name = child;
      if (IsGroup(file_, path + "/vars")) {
        hid_t g = H5Gopen2(file_, (path + "/vars").c_str(), H5P_DEFAULT);
        if (g >= 0) {
          auto attr = ReadStringAttr(g, "name");
          if (!attr.empty()) name = attr[0];
          H5Gclose(g);
        }
      }
      layer_groups_.emplace_back(scope + name, path);
      pending.emplace_back(path, scope + name + "/");
    }
  }
  return true;
}

bool KerasArchive::OpenH5(const std::string& path, std::string* error) {
  legacy_h5_ = true;
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) {
    *error = "corrupt HDF5 file";
    return false;
  }
  hid_t root = H5Gopen2(file_, "/", H5P_DEFAULT);
  auto text = ReadStringAttr(root, "model_config");
  H5Gclose(root);
  if (text.empty()) {
    *error = "HDF5 file has no 'model_config' attribute (weights-only file?)";
    return false;
  }
  config_ = nlohmann::json::parse(text[0], nullptr, false);
  if (config_.is_discarded() || !config_.is_object()) {
    *error = "'model_config' attribute is not valid JSON";
    return false;
  }
  if (!IsGroup(file_, "/model_weights")) {
    *error = "HDF5 file has no 'model_weights' group";
    return false;
  }
  return true;
}

bool KerasArchive::LayerWeights(const std::vector<std::string>& scope,
                                const std::string& name,
                                std::vector<WeightArray>* out,
                                std::string* error) const {
  out->clear();
  if (!legacy_h5_) {
    const std::string key = JoinScope(scope, name);
    for (const auto& [k, group] : layer_groups_)
      if (k == key) return CollectKerasWeights(file_, group, out, error);
    return true;  // no group: a layer without weights
  }
  const std::string top = scope.empty() ? name : scope[0];
  const std::string group = "/model_weights/" + top;
  if (!IsGroup(file_, group)) return true;
  hid_t g = H5Gopen2(file_, group.c_str(), H5P_DEFAULT);
  std::vector<std::string> names = ReadChunkedStringAttr(g, "weight_names");
  H5Gclose(g);
  std::string prefix;
  if (!scope.empty()) prefix = JoinScope(scope, name) + "/";
  for (const std::string& w : names) {
    if (!prefix.empty() && w.compare(0, prefix.size(), prefix) != 0) continue;
    WeightArray a;
    if (!ReadDataset(file_, group + "/" + w, &a, error)) return false;
    out->push_back(std::move(a));
  }
  return true;
}

}  // namespace ember::convert::keras
