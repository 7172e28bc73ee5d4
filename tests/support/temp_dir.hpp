// A fresh folder under the system temp directory, removed with everything in it at scope exit.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace authd::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A new temp folder that the caller owns (AuthdProcess keeps its own).
std::filesystem::path make_temp_dir();

}  // namespace authd::test
