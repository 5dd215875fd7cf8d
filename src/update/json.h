// A small JSON reader and writer for update manifests and the version
// history: bytes from a download go through here, so the reader is strict
// and bounded (nesting depth, input size) and reports the byte offset of
// the first error. Numbers are doubles; strings are UTF-8 passed through,
// with \uXXXX escapes below U+0080 only (manifests are ASCII).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace ember::update {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind() const { return kind_; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_number() const { return kind_ == Kind::kNumber; }

  bool boolean() const { return boolean_; }
  double number() const { return number_; }
  const std::string& string() const { return string_; }
  const std::vector<JsonValue>& array() const { return array_; }
  const std::map<std::string, JsonValue>& object() const { return object_; }
  // nullptr when this is not an object or has no such member.
  const JsonValue* Find(const std::string& key) const;

  static JsonValue Null() { return JsonValue(); }
  static JsonValue Bool(bool v);
  static JsonValue Number(double v);
  static JsonValue String(std::string v);
  static JsonValue Array(std::vector<JsonValue> v = {});
  static JsonValue Object();
  // Object members keep key order (std::map): output is canonical.
  JsonValue& Set(const std::string& key, JsonValue value);
  void Append(JsonValue value);

  // Compact when indent < 0, otherwise pretty-printed.
  std::string Dump(int indent = -1) const;

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  bool boolean_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::map<std::string, JsonValue> object_;
};

constexpr size_t kMaxJsonBytes = 1 << 20;
constexpr int kMaxJsonDepth = 32;

// Parses one JSON document (trailing whitespace only). `what` names the
// source in errors ("manifest 'http://.../manifest.json'").
Status ParseJson(const char* data, size_t size, const char* what,
                 ErrorReporter& errors, JsonValue* out);

}  // namespace ember::update
