#include "mail/templates.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/text.hpp"

namespace authd::mail {
namespace {

struct BuiltIn {
  Template which;
  std::string_view name;
  bool has_link;
  std::string_view subject;
  std::string_view text;
  std::string_view html;
};

// The HTML bodies are small and plain on purpose: no images, no remote resources, no styles a
// mail client would strip, and the link also written out for clients that show no HTML.
constexpr BuiltIn kBuiltIn[] = {
    {Template::reset_password, "reset-password", true, "Reset your {{app_name}} password",
     "Someone asked to reset the password of the {{app_name}} account for {{email}}.\n\n"
     "To choose a new password, open this link within {{expires_in}}:\n\n{{link}}\n\n"
     "If it was not you, ignore this mail: your password stays as it is.\n",
     "<p>Someone asked to reset the password of the {{app_name}} account for {{email}}.</p>\n"
     "<p>To choose a new password, open this link within {{expires_in}}:</p>\n"
     "<p><a href=\"{{link}}\">{{link}}</a></p>\n"
     "<p>If it was not you, ignore this mail: your password stays as it is.</p>\n"},
    {Template::verify_email, "verify-email", true, "Confirm your email for {{app_name}}",
     "Please confirm that {{email}} is your address for {{app_name}}.\n\n"
     "Open this link within {{expires_in}}:\n\n{{link}}\n\n"
     "If you did not sign up, ignore this mail.\n",
     "<p>Please confirm that {{email}} is your address for {{app_name}}.</p>\n"
     "<p>Open this link within {{expires_in}}:</p>\n"
     "<p><a href=\"{{link}}\">{{link}}</a></p>\n"
     "<p>If you did not sign up, ignore this mail.</p>\n"},
    {Template::email_change, "email-change", true, "Confirm your new email for {{app_name}}",
     "Someone asked to make {{email}} the address of a {{app_name}} account.\n\n"
     "To confirm it, open this link within {{expires_in}}:\n\n{{link}}\n\n"
     "If it was not you, ignore this mail: nothing changes.\n",
     "<p>Someone asked to make {{email}} the address of a {{app_name}} account.</p>\n"
     "<p>To confirm it, open this link within {{expires_in}}:</p>\n"
     "<p><a href=\"{{link}}\">{{link}}</a></p>\n"
     "<p>If it was not you, ignore this mail: nothing changes.</p>\n"},
    {Template::email_changed, "email-changed", true, "Your {{app_name}} email was changed",
     "The email of your {{app_name}} account is now {{new_email}} instead of {{email}}.\n\n"
     "If you did not change it, open this link within {{expires_in}} to undo the change and "
     "sign out everywhere:\n\n{{link}}\n",
     "<p>The email of your {{app_name}} account is now {{new_email}} instead of {{email}}.</p>\n"
     "<p>If you did not change it, open this link within {{expires_in}} to undo the change and "
     "sign out everywhere:</p>\n"
     "<p><a href=\"{{link}}\">{{link}}</a></p>\n"},
    {Template::password_changed, "password-changed", false,
     "Your {{app_name}} password was changed",
     "The password of your {{app_name}} account ({{email}}) was changed.\n\n"
     "If you did not change it, reset your password now and tell us.\n",
     "<p>The password of your {{app_name}} account ({{email}}) was changed.</p>\n"
     "<p>If you did not change it, reset your password now and tell us.</p>\n"},
    {Template::account_deactivated, "account-deactivated", false,
     "Your {{app_name}} account was deactivated",
     "Your {{app_name}} account ({{email}}) was deactivated, and every session of it ended.\n\n"
     "If you did not expect this, contact the administrators.\n",
     "<p>Your {{app_name}} account ({{email}}) was deactivated, and every session of it "
     "ended.</p>\n"
     "<p>If you did not expect this, contact the administrators.</p>\n"},
};
static_assert(std::size(kBuiltIn) == kTemplateCount);

const BuiltIn& built_in(Template which) {
  return kBuiltIn[static_cast<std::size_t>(which)];
}

bool offers(const BuiltIn& t, std::string_view name) {
  if (name == "app_name" || name == "email") return true;
  if (t.has_link && (name == "link" || name == "expires_in")) return true;
  return t.which == Template::email_changed && name == "new_email";
}

std::string html_escaped(std::string_view value) {
  std::string out;
  for (const char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Calls `on_name` for every {{name}} of `text`, and `on_text` for what lies between them.
template <class OnText, class OnName>
void scan(std::string_view text, OnText&& on_text, OnName&& on_name) {
  std::size_t at = 0;
  while (true) {
    const auto open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    on_text(text.substr(at, open - at));
    on_name(text.substr(open + 2, close - open - 2));
    at = close + 2;
  }
  on_text(text.substr(at));
}

std::string substituted(std::string_view text, const Values& values, bool escape) {
  std::string out;
  scan(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        const auto it = values.find(name);
        if (it == values.end()) {
          throw std::invalid_argument("no value for {{" + std::string(name) + "}}");
        }
        out += escape ? html_escaped(it->second) : it->second;
      });
  return out;
}

std::optional<std::string> read_override(const std::filesystem::path& file, const BuiltIn& t) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) throw std::runtime_error("cannot read mail template " + file.string());
  std::string text = content.str();
  std::string checked = text;
  for (char& c : checked) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (util::has_control_characters(checked)) {
    throw std::runtime_error("mail template " + file.string() + " is not UTF-8 text");
  }
  scan(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (!offers(t, name)) {
          throw std::runtime_error("mail template " + file.string() + " uses {{" +
                                   std::string(name) + "}}, which " + std::string(t.name) +
                                   " does not offer");
        }
      });
  return text;
}

}  // namespace

std::string_view template_name(Template which) {
  return built_in(which).name;
}

std::optional<Template> template_from_name(std::string_view name) {
  for (const auto& t : kBuiltIn) {
    if (t.name == name) return t.which;
  }
  return std::nullopt;
}

Templates::Templates(const std::filesystem::path& folder) {
  for (const auto& t : kBuiltIn) {
    Parts& parts = parts_[static_cast<std::size_t>(t.which)];
    parts = {std::string(t.subject), std::string(t.text), std::string(t.html)};
    if (folder.empty()) continue;
    const std::string base = std::string(t.name);
    if (auto subject = read_override(folder / (base + ".subject"), t)) {
      // One line: a trailing newline, as an editor leaves it, is no part of the subject.
      while (!subject->empty() && (subject->back() == '\n' || subject->back() == '\r')) {
        subject->pop_back();
      }
      if (subject->find_first_of("\r\n") != std::string::npos) {
        throw std::runtime_error("mail template " + (folder / (base + ".subject")).string() +
                                 " has more than one line");
      }
      parts.subject = std::move(*subject);
    }
    if (auto text = read_override(folder / (base + ".txt"), t)) parts.text = std::move(*text);
    if (auto html = read_override(folder / (base + ".html"), t)) parts.html = std::move(*html);
  }
}

RenderedMail Templates::render(Template which, const Values& values) const {
  const Parts& parts = parts_[static_cast<std::size_t>(which)];
  return {substituted(parts.subject, values, false), substituted(parts.text, values, false),
          substituted(parts.html, values, true)};
}

std::string describe_duration(std::chrono::seconds duration) {
  constexpr std::int64_t kDay = 86400;
  const std::int64_t count = duration.count();
  const auto plural = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (count % kDay == 0 && count >= 2 * kDay) return plural(count / kDay, "day");
  if (count % 3600 == 0 && count >= 3600) return plural(count / 3600, "hour");
  if (count % 60 == 0 && count >= 60) return plural(count / 60, "minute");
  return plural(count, "second");
}

}  // namespace authd::mail
