#include "import/jsonl_accounts.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "import/source_database.hpp"

namespace authd::import {
namespace {

using FilePtr = std::unique_ptr<FILE, decltype(&std::fclose)>;

std::optional<std::string> optional_text(const boost::json::value& value, std::string_view key,
                                         std::string& defect) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_string()) {
    if (defect.empty()) defect = std::string(key) + " must be a string or null";
    return std::nullopt;
  }
  return std::string(value.get_string());
}

std::optional<util::TimePoint> optional_time(const boost::json::value& value, std::string_view key,
                                             std::string& defect) {
  const auto text = optional_text(value, key, defect);
  if (!text) return std::nullopt;
  auto time = util::parse_timestamp(*text);
  if (!time && defect.empty()) defect = std::string(key) + " is not an ISO 8601 timestamp";
  return time;
}

SourceAccount read_line(std::string_view line, std::int64_t ordinal) {
  SourceAccount account;
  account.ordinal = ordinal;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(line, ec);
  if (ec || !parsed.is_object()) {
    account.defect = "line " + std::to_string(ordinal) + " is not a JSON object";
    return account;
  }
  std::string& defect = account.defect;
  bool has_email = false, has_hash = false;
  for (const auto& [key, value] : parsed.get_object()) {
    if (key == "id") {
      if (value.is_int64() && value.get_int64() > 0) {
        account.id = value.get_int64();
      } else if (value.is_uint64() && value.get_uint64() <= INT64_MAX) {
        account.id = static_cast<std::int64_t>(value.get_uint64());
      }
    } else if (key == "email") {
      if (value.is_string()) {
        account.email = value.get_string();
        has_email = true;
      }
    } else if (key == "password_hash") {
      if (value.is_string()) {
        account.password_hash = value.get_string();
        has_hash = true;
      }
    } else if (key == "first_name") {
      account.first_name = optional_text(value, key, defect);
    } else if (key == "last_name") {
      account.last_name = optional_text(value, key, defect);
    } else if (key == "is_active") {
      // 1 and 0 too: what SQLite's and MySQL's JSON functions make of a boolean column.
      if (value.is_bool()) {
        account.is_active = value.get_bool();
      } else if (value.is_int64() && (value.get_int64() == 0 || value.get_int64() == 1)) {
        account.is_active = value.get_int64() == 1;
      } else if (!value.is_null() && defect.empty()) {
        defect = "is_active must be true, false, 1, 0 or null";
      }
    } else if (key == "roles") {
      if (value.is_array()) {
        for (const auto& role : value.get_array()) {
          if (role.is_string()) {
            account.roles.emplace_back(role.get_string());
          } else if (defect.empty()) {
            defect = "roles must be an array of strings";
          }
        }
      } else if (!value.is_null() && defect.empty()) {
        defect = "roles must be an array of strings";
      }
    } else if (key == "last_login") {
      account.last_login = optional_time(value, key, defect);
    } else if (key == "created_at") {
      account.created_at = optional_time(value, key, defect);
    } else if (key == "updated_at") {
      account.updated_at = optional_time(value, key, defect);
    } else if (defect.empty()) {
      defect = "unknown key " + std::string(key);
    }
  }
  if (!account.id && defect.empty()) defect = "id must be a positive integer";
  if (!has_email && defect.empty()) defect = "email must be a string";
  if (!has_hash && defect.empty()) defect = "password_hash must be a string";
  return account;
}

class JsonlSource final : public AccountSource {
 public:
  explicit JsonlSource(FilePtr file) : file_(std::move(file)) {}

  std::optional<std::int64_t> count() override { return lines_; }

  void for_each(const std::function<void(SourceAccount&&)>& on_account) override {
    std::rewind(file_.get());
    char* buffer = nullptr;
    std::size_t capacity = 0;
    std::int64_t line_number = 0, accounts = 0;
    ssize_t length;
    try {
      while ((length = ::getline(&buffer, &capacity, file_.get())) >= 0) {
        ++line_number;
        std::string_view line(buffer, static_cast<std::size_t>(length));
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        ++accounts;
        on_account(read_line(line, line_number));
      }
    } catch (...) {
      std::free(buffer);
      throw;
    }
    std::free(buffer);
    if (std::ferror(file_.get())) throw SourceError("reading the export failed");
    lines_ = accounts;
  }

  std::optional<std::int64_t> highest_id_given() override { return std::nullopt; }

 private:
  FilePtr file_;
  std::optional<std::int64_t> lines_{};  // known after the first pass
};

}  // namespace

std::unique_ptr<AccountSource> jsonl_source(const std::string& path) {
  if (path != "-") {
    FilePtr file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw SourceError("cannot open " + path);
    return std::make_unique<JsonlSource>(std::move(file));
  }
  // Standard input is read twice: copied to an unnamed temporary file first.
  FilePtr copy(std::tmpfile(), &std::fclose);
  if (!copy) throw SourceError("cannot make a temporary copy of standard input");
  char chunk[1 << 16];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, stdin)) > 0) {
    if (std::fwrite(chunk, 1, n, copy.get()) != n) {
      throw SourceError("cannot copy standard input aside (disk full?)");
    }
  }
  if (std::ferror(stdin)) throw SourceError("reading standard input failed");
  return std::make_unique<JsonlSource>(std::move(copy));
}

}  // namespace authd::import
