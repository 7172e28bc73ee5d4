// The mails authd sends, each a subject, a plain-text body and an HTML body with {{name}}
// placeholders. Built in (English); an operator overrides any of them with files in a folder
// (--mail-templates-dir): <template>.subject, <template>.txt, <template>.html, each optional.
// Overrides are read and checked once, at start-up: a placeholder a template does not offer is
// an error then, not a blank in a mail later. Values are escaped for HTML in the HTML body and
// inserted as they are in the text; a subject's values must be one line (compose() refuses a
// line break in any header).
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace authd::mail {

enum class Template {
  reset_password,       // {{link}} to set a new password
  verify_email,         // {{link}} to confirm the address
  email_change,         // to the new address: {{link}} to confirm it
  email_changed,        // to the old address: the email is now {{new_email}}; {{link}} reverts
  password_changed,     // notice: the password was changed
  account_deactivated,  // notice: the account was deactivated
};
inline constexpr std::size_t kTemplateCount = 6;

// "reset-password", ...: the file names of overrides, and the template label of the metrics.
std::string_view template_name(Template which);
std::optional<Template> template_from_name(std::string_view name);

// The values a template may use: every one has app_name and email (the recipient); the
// templates with a link also have link and expires_in ("1 hour"); email_changed has new_email.
using Values = std::map<std::string, std::string, std::less<>>;

struct RenderedMail {
  std::string subject;
  std::string text;
  std::string html;
};

class Templates {
 public:
  // The built-in templates with the overrides found in `folder` (none when empty). Throws
  // std::runtime_error naming the file for one that cannot be read, is not UTF-8, or uses a
  // placeholder its template does not offer.
  explicit Templates(const std::filesystem::path& folder = {});

  // Throws std::invalid_argument when `values` lacks a placeholder the template uses.
  RenderedMail render(Template which, const Values& values) const;

 private:
  struct Parts {
    std::string subject, text, html;
  };
  std::array<Parts, kTemplateCount> parts_;
};

// "1 hour", "24 hours", "7 days", "90 minutes": a lifetime as a mail tells it.
std::string describe_duration(std::chrono::seconds duration);

}  // namespace authd::mail
