#include "mail/smtp_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cstring>
#include <stdexcept>

namespace authd::mail {
namespace {

constexpr std::string_view kInsecureScheme = "smtp+insecure";

// libcurl's global state, set up once before the first handle (curl_global_init is not
// thread-safe on every build; the first transport is made at start-up, on one thread).
void initialise_curl() {
  static const bool initialised = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl could not be initialised");
    }
    return true;
  }();
  (void)initialised;
}

bool loopback(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host == "::1" || host.starts_with("127.");
}

// Feeds the message to curl's upload.
struct Upload {
  std::string_view rest;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

}  // namespace

struct SmtpTransport::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

SmtpTransport::SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {
  const auto parsed = boost::urls::parse_absolute_uri(settings_.url);
  if (!parsed) {
    throw std::invalid_argument("--smtp-url must be smtp://HOST[:PORT], smtps://HOST[:PORT] or " +
                                std::string(kInsecureScheme) + "://HOST[:PORT]");
  }
  const std::string scheme(parsed->scheme());
  const std::string host(parsed->encoded_host_and_port());
  if ((scheme != "smtp" && scheme != "smtps" && scheme != kInsecureScheme) ||
      parsed->encoded_host().empty() || parsed->has_userinfo() || parsed->has_query() ||
      parsed->has_fragment() ||
      !(parsed->encoded_path().empty() || parsed->encoded_path() == "/")) {
    throw std::invalid_argument("--smtp-url must be smtp://HOST[:PORT], smtps://HOST[:PORT] or " +
                                std::string(kInsecureScheme) +
                                "://HOST[:PORT], without credentials (see --smtp-username), "
                                "path or query; got '" +
                                settings_.url + "'");
  }
  if (scheme == kInsecureScheme) {
    if (!loopback(std::string(parsed->encoded_host()))) {
      throw std::invalid_argument("--smtp-url " + std::string(kInsecureScheme) +
                                  ":// sends mail in cleartext, so only to a loopback address");
    }
    require_tls_ = false;
    curl_url_ = "smtp://" + host;
  } else {
    curl_url_ = scheme + "://" + host;
  }
  initialise_curl();
  handle_ = std::make_unique<Handle>();
  handle_->curl = curl_easy_init();
  if (handle_->curl == nullptr) throw std::runtime_error("libcurl could not make a handle");
}

SmtpTransport::~SmtpTransport() = default;

std::string SmtpTransport::describe() const {
  return "smtp " + settings_.url + (require_tls_ ? "" : " (cleartext)") +
         (settings_.username.empty() ? "" : ", as " + settings_.username);
}

Delivery SmtpTransport::send(std::string_view from, std::string_view to, std::string_view message) {
  std::lock_guard lock(mutex_);
  CURL* curl = handle_->curl;
  // Options are set again for every message: curl_easy_reset is not called, so the kept
  // connection (curl's own cache in the handle) survives between messages.
  Upload upload{message};
  const std::string sender = "<" + std::string(from) + ">";
  const std::string recipient = "<" + std::string(to) + ">";
  curl_slist* recipients = curl_slist_append(nullptr, recipient.c_str());
  if (recipients == nullptr) return {Delivery::Outcome::retry, "out of memory"};
  curl_easy_setopt(curl, CURLOPT_URL, curl_url_.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl, CURLOPT_USE_SSL,
      require_tls_ ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_NONE));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count()));

  const CURLcode result = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  if (result == CURLE_OK) return {Delivery::Outcome::sent, std::to_string(code)};
  std::string detail = std::string(curl_easy_strerror(result));
  if (code != 0) detail = std::to_string(code) + " (" + detail + ")";
  // A 5xx is the server's final word on this message; everything else may pass later. Refused
  // credentials are the configuration's fault, not the message's: once an operator fixes
  // them, the message goes.
  if (code >= 500 && code < 600 && result != CURLE_LOGIN_DENIED) {
    return {Delivery::Outcome::failed, detail};
  }
  return {Delivery::Outcome::retry, detail};
}

}  // namespace authd::mail
