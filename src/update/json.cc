#include "update/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace ember::update {

const JsonValue* JsonValue::Find(const std::string& key) const {
  if (kind_ != Kind::kObject) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &it->second;
}

JsonValue JsonValue::Bool(bool v) {
  JsonValue j;
  j.kind_ = Kind::kBool;
  j.boolean_ = v;
  return j;
}
JsonValue JsonValue::Number(double v) {
  JsonValue j;
  j.kind_ = Kind::kNumber;
  j.number_ = v;
  return j;
}
JsonValue JsonValue::String(std::string v) {
  JsonValue j;
  j.kind_ = Kind::kString;
  j.string_ = std::move(v);
  return j;
}
JsonValue JsonValue::Array(std::vector<JsonValue> v) {
  JsonValue j;
  j.kind_ = Kind::kArray;
  j.array_ = std::move(v);
  return j;
}
JsonValue JsonValue::Object() {
  JsonValue j;
  j.kind_ = Kind::kObject;
  return j;
}
JsonValue& JsonValue::Set(const std::string& key, JsonValue value) {
  kind_ = Kind::kObject;
  return object_[key] = std::move(value);
}
void JsonValue::Append(JsonValue value) {
  kind_ = Kind::kArray;
  array_.push_back(std::move(value));
}

namespace {

void DumpString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void Dump(const JsonValue& v, int indent, int level, std::string* out) {
  const auto newline = [&](int l) {
    if (indent < 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * l), ' ');
  };
  switch (v.kind()) {
    case JsonValue::Kind::kNull:
      *out += "null";
      break;
    case JsonValue::Kind::kBool:
      *out += v.boolean() ? "true" : "false";
      break;
    case JsonValue::Kind::kNumber: {
      const double d = v.number();
      char buf[32];
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
        snprintf(buf, sizeof(buf), "%.0f", d);
      } else if (std::isfinite(d)) {
        snprintf(buf, sizeof(buf), "%.17g", d);
      } else {
        snprintf(buf, sizeof(buf), "null");  // JSON has no inf/nan
      }
      *out += buf;
      break;
    }
    case JsonValue::Kind::kString:
      DumpString(v.string(), out);
      break;
    case JsonValue::Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const JsonValue& e : v.array()) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        Dump(e, indent, level + 1, out);
      }
      if (!v.array().empty()) newline(level);
      out->push_back(']');
      break;
    }
    case JsonValue::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, e] : v.object()) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        DumpString(key, out);
        out->push_back(':');
        if (indent >= 0) out->push_back(' ');
        Dump(e, indent, level + 1, out);
      }
      if (!v.object().empty()) newline(level);
      out->push_back('}');
      break;
    }
  }
}

}  // namespace

std::string JsonValue::Dump(int indent) const {
  std::string out;
  update::Dump(*this, indent, 0, &out);
  return out;
}

class JsonParser {
 public:
  JsonParser(const char* data, size_t size, const char* what,
             ErrorReporter& errors)
      : p_(data),
        begin_(data),
        end_(data + size),
        what_(what),
        errors_(errors) {}

  Status Document(JsonValue* out) {
    EMBER_RETURN_IF_ERROR(Value(out, 0));
    SkipSpace();
    if (p_ != end_) return Fail("unexpected bytes after the JSON document");
    return Status::Ok();
  }

 private:
  Status Fail(const char* why) {
    return errors_.Report(StatusCode::kInvalidArgument,
                          "%s: malformed JSON at byte %zu: %s", what_,
                          static_cast<size_t>(p_ - begin_), why);
  }
  void SkipSpace() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }
  bool Literal(const char* word) {
    const char* q = p_;
    for (; *word; ++word, ++q)
      if (q == end_ || *q != *word) return false;
    p_ = q;
    return true;
  }

  Status Value(JsonValue* out, int depth) {
    if (depth > kMaxJsonDepth) return Fail("nested too deeply");
    SkipSpace();
    if (p_ == end_) return Fail("unexpected end of input");
    switch (*p_) {
      case '{':
        return Object(out, depth);
      case '[':
        return ArrayValue(out, depth);
      case '"':
        out->kind_ = JsonValue::Kind::kString;
        return StringValue(&out->string_);
      case 't':
        if (!Literal("true")) return Fail("invalid literal");
        *out = JsonValue::Bool(true);
        return Status::Ok();
      case 'f':
        if (!Literal("false")) return Fail("invalid literal");
        *out = JsonValue::Bool(false);
        return Status::Ok();
      case 'n':
        if (!Literal("null")) return Fail("invalid literal");
        *out = JsonValue::Null();
        return Status::Ok();
      default:
        return NumberValue(out);
    }
  }

  Status Object(JsonValue* out, int depth) {
    ++p_;  // '{'
    out->kind_ = JsonValue::Kind::kObject;
    SkipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return Status::Ok();
    }
    while (true) {
      SkipSpace();
      if (p_ == end_ || *p_ != '"') return Fail("expected a member name");
      std::string key;
      EMBER_RETURN_IF_ERROR(StringValue(&key));
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return Fail("expected ':'");
      ++p_;
      if (out->object_.count(key)) return Fail("duplicate member name");
      EMBER_RETURN_IF_ERROR(Value(&out->object_[key], depth + 1));
      SkipSpace();
      if (p_ == end_) return Fail("unterminated object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        return Status::Ok();
      }
      return Fail("expected ',' or '}'");
    }
  }

  Status ArrayValue(JsonValue* out, int depth) {
    ++p_;  // '['
    out->kind_ = JsonValue::Kind::kArray;
    SkipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return Status::Ok();
    }
    while (true) {
      out->array_.emplace_back();
      EMBER_RETURN_IF_ERROR(Value(&out->array_.back(), depth + 1));
      SkipSpace();
      if (p_ == end_) return Fail("unterminated array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        return Status::Ok();
      }
      return Fail("expected ',' or ']'");
    }
  }

  Status StringValue(std::string* out) {
    ++p_;  // '"'
    while (true) {
      if (p_ == end_) return Fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(*p_++);
      if (c == '"') return Status::Ok();
      if (c < 0x20) return Fail("control character in a string");
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (p_ == end_) return Fail("unterminated escape");
      const char e = *p_++;
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          if (end_ - p_ < 4) return Fail("truncated \\u escape");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = *p_++;
            code <<= 4;
            if (h >= '0' && h <= '9')
              code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
              code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              code |= static_cast<unsigned>(h - 'A' + 10);
            else
              return Fail("invalid \\u escape");
          }
          if (code >= 0x80) return Fail("non-ASCII \\u escape");
          out->push_back(static_cast<char>(code));
          break;
        }
        default:
          return Fail("invalid escape");
      }
    }
  }

  Status NumberValue(JsonValue* out) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    if (p_ == digits) return Fail("expected a value");
    if (*digits == '0' && p_ - digits > 1) return Fail("leading zero");
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      const char* frac = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == frac) return Fail("digits expected after '.'");
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      const char* exp = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == exp) return Fail("digits expected in the exponent");
    }
    const std::string text(start, p_);  // strtod needs a terminated copy
    *out = JsonValue::Number(strtod(text.c_str(), nullptr));
    return Status::Ok();
  }

  const char* p_;
  const char* begin_;
  const char* end_;
  const char* what_;
  ErrorReporter& errors_;
};

Status ParseJson(const char* data, size_t size, const char* what,
                 ErrorReporter& errors, JsonValue* out) {
  if (size > kMaxJsonBytes) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "%s: %zu bytes is over the %zu-byte limit", what, size,
                         kMaxJsonBytes);
  }
  *out = JsonValue();
  JsonParser parser(data, size, what, errors);
  return parser.Document(out);
}

}  // namespace ember::update
