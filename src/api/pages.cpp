#include "api/pages.hpp"

#include <stdexcept>
#include <string>

namespace authd::api {
namespace {

// Nothing but the page's own script, style sheet and /v1 calls: no inline script or style, no
// framing, no form posted elsewhere, no <base> (OWASP Content Security Policy Cheat Sheet; ASVS
// 5.0 V3.4.3).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

struct Page {
  std::string_view path;
  std::string_view file;  // the page's own part, set into page.html
  std::string_view title;
  std::string_view script;  // under /assets/
  std::string_view width;   // a class of <main>: "" (a narrow column) or "wide"
};

constexpr Page kAccountPages[] = {
    {"/account/reset-password", "account/reset-password.html", "Choose a new password",
     "account.js", ""},
    {"/account/forgot-password", "account/forgot-password.html", "Forgot your password?",
     "account.js", ""},
    {"/account/verify-email", "account/verify-email.html", "Confirm your email address",
     "account.js", ""},
    {"/account/confirm-email", "account/confirm-email.html", "Confirm your new email address",
     "account.js", ""},
    {"/account/revert-email", "account/revert-email.html", "Undo an email change", "account.js",
     ""},
};

constexpr Page kAdminPages[] = {
    {"/admin/", "admin/console.html", "authd administration", "admin.js", "wide"},
};

struct Asset {
  std::string_view file;
  std::string_view content_type;
};

constexpr Asset kAssets[] = {
    {"account.js", "text/javascript; charset=utf-8"},
    {"admin.js", "text/javascript; charset=utf-8"},
    {"style.css", "text/css; charset=utf-8"},
    {"icon.svg", "image/svg+xml"},
};

std::string_view embedded(std::string_view name) {
  for (const EmbeddedFile& file : kEmbeddedPages) {
    if (file.name == name) return file.text;
  }
  throw std::logic_error("no file src/pages/" + std::string(name) + " was embedded");
}

std::string replace_all(std::string text, std::string_view placeholder, std::string_view value) {
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

// A route answering `body` as it is, built once with the routes. `cache_control`: a page is
// never stored (nor kept in a back/forward cache with a console signed in); an asset is
// revalidated, since a page of an older release could call a route that moved.
void add_static(http::Router& router, std::string path, std::string body,
                std::string_view content_type, std::string_view cache_control) {
  http::Response response{
      .status = 200,
      .body = std::move(body),
      .content_type = std::string(content_type),
      .headers = {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                  {"Referrer-Policy", "no-referrer"},
                  {"X-Frame-Options", "DENY"},
                  {"Cross-Origin-Opener-Policy", "same-origin"},
                  {"Cross-Origin-Resource-Policy", "same-origin"},
                  {"Cache-Control", std::string(cache_control)}}};
  router.add(
      {.method = "GET",
       .path = std::move(path),
       .handler = [response = std::move(response)](const http::Request&) { return response; },
       .blocking = false});
}

void add_page_set(http::Router& router, std::span<const Page> pages) {
  const std::string_view shell = embedded("page.html");
  for (const Page& page : pages) {
    // Only this file's and src/pages' own text is set into a page: nothing from a request.
    std::string html = replace_all(std::string(shell), "{{title}}", page.title);
    html = replace_all(std::move(html), "{{script}}", page.script);
    html = replace_all(std::move(html), "{{width}}", page.width);
    html = replace_all(std::move(html), "{{content}}", embedded(page.file));
    add_static(router, std::string(page.path), std::move(html), "text/html; charset=utf-8",
               "no-store");
  }
}

}  // namespace

void add_pages(http::Router& router, PageSets sets) {
  if (sets.account) add_page_set(router, kAccountPages);
  if (sets.admin_console) {
    add_page_set(router, kAdminPages);
    // Typed without its slash, the console's address still leads there.
    router.add({.method = "GET",
                .path = "/admin",
                .handler =
                    [](const http::Request&) {
                      return http::Response{.status = 308,
                                            .body = "",
                                            .content_type = "",
                                            .headers = {{"Location", "/admin/"}}};
                    },
                .blocking = false});
  }
  if (!sets.account && !sets.admin_console) return;
  for (const Asset& asset : kAssets) {
    add_static(router, "/assets/" + std::string(asset.file), std::string(embedded(asset.file)),
               asset.content_type, "no-cache");
  }
}

bool is_page_path(std::string_view path) {
  return path.starts_with("/account/") || path == "/admin" || path.starts_with("/admin/") ||
         path.starts_with("/assets/");
}

}  // namespace authd::api
