// The hosted pages, served from the files under src/pages, which the build embeds in the binary:
// the account pages a mailed link opens (/account/...) and the admin console (/admin/). Each
// page loads nothing but its own script and style sheet, and talks only to the public /v1 API,
// like any other client: it has no powers of its own.
#pragma once

#include <span>
#include <string_view>

#include "http/router.hpp"

namespace authd::api {

struct EmbeddedFile {
  std::string_view name;  // its path under src/pages: "account/reset-password.html"
  std::string_view text;
};

// Every file under src/pages, embedded at build time (CMakeLists.txt).
extern const std::span<const EmbeddedFile> kEmbeddedPages;

struct PageSets {
  // Reset password, forgot password, verify email, confirm and revert an email change: the pages
  // the default mailed links open (cli/config.hpp).
  bool account = false;
  bool admin_console = false;
};

// The pages of `sets`, and the assets they share (/assets/...) when there is any.
void add_pages(http::Router& router, PageSets sets);

// True for a path of the pages: not part of the API, nor of its OpenAPI document.
bool is_page_path(std::string_view path);

}  // namespace authd::api
