// What a wire format is, as a value: how its error answers look (its envelope) and a complete
// table from every core failure to the status and words it answers with. respond() in
// dialect.cpp is the only place a failure becomes an HTTP answer, Retry-After and
// WWW-Authenticate included. A table built with error_table() that misses an AuthError, or names
// one twice, does not compile (tests/compile/ proves it).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include "api/problem.hpp"
#include "core/auth_error.hpp"
#include "http/message.hpp"

namespace authd::api {

// How a dialect answers one kind of failure.
struct Wording {
  unsigned status = 500;
  // The message (the seed dialects) or the problem's detail (/v1; empty for none). "{}" is
  // replaced by the failure's limit (a password's most bytes or fewest characters).
  std::string_view text{};
  Problem problem = Problem::internal;  // /v1: the problem type
  bool bare = false;  // seed 003's documented 404: {"message": ...} outside its envelope
};

using ErrorTable = std::array<Wording, core::kAuthErrorCount>;

// The table of the rows of `parts` (one or more arrays of rows); not a constant expression (so
// a compile error where it initialises a constexpr Dialect) when an AuthError has no row or two.
template <std::size_t... N>
consteval ErrorTable error_table(const std::pair<core::AuthError, Wording> (&... parts)[N]) {
  ErrorTable table{};
  std::array<bool, core::kAuthErrorCount> seen{};
  const auto add = [&](const auto& rows) {
    for (const auto& [error, wording] : rows) {
      const std::size_t at = core::index_of(error);
      if (at >= core::kAuthErrorCount || seen[at]) throw "an AuthError has two rows";
      seen[at] = true;
      table[at] = wording;
    }
  };
  (add(parts), ...);
  for (const bool row : seen) {
    if (!row) throw "an AuthError has no row";
  }
  return table;
}

// The rows every seed dialect words alike: the password rules, throttling, an outage, and the
// failures of /v1's own operations, which no seed route can meet (an unexpected 500 if one did).
inline constexpr std::pair<core::AuthError, Wording> kSeedCommonRows[] = {
    {core::AuthError::invalid_password,
     {400, "Password must be at most {} bytes and contain no NUL character"}},
    {core::AuthError::password_too_short, {400, "Password must be at least {} characters long"}},
    {core::AuthError::password_too_common, {400, "Password is too common; choose another one"}},
    {core::AuthError::invalid_roles, {400, "Too many roles, or a role name too long"}},
    {core::AuthError::throttled, {429, "Too many attempts; try again later"}},
    {core::AuthError::store_unavailable, {503, "Service temporarily unavailable"}},
    {core::AuthError::invalid_token, {500, "Internal server error"}},
    {core::AuthError::invalid_refresh_token, {500, "Internal server error"}},
    {core::AuthError::refresh_token_reused, {500, "Internal server error"}},
    {core::AuthError::session_not_found, {500, "Internal server error"}},
    {core::AuthError::role_not_found, {500, "Internal server error"}},
    {core::AuthError::role_taken, {500, "Internal server error"}},
    {core::AuthError::role_in_use, {500, "Internal server error"}},
    {core::AuthError::role_protected, {500, "Internal server error"}},
    {core::AuthError::not_administrator, {500, "Internal server error"}},
    {core::AuthError::last_administrator, {500, "Internal server error"}},
    {core::AuthError::confirmation_required, {500, "Internal server error"}},
    {core::AuthError::role_required, {500, "Internal server error"}},
    {core::AuthError::current_password_incorrect, {500, "Internal server error"}},
    {core::AuthError::action_token_invalid, {500, "Internal server error"}},
    {core::AuthError::mail_not_configured, {500, "Internal server error"}},
    {core::AuthError::internal, {500, "Internal server error"}},
};

enum class Envelope {
  message,        // seed 000: {"message": text}
  error,          // seed 002: {"error": text}
  success_error,  // seed 003: {"success": false, "error": {"message": text}}
  problem,        // /v1: RFC 9457 application/problem+json
};

struct Dialect {
  std::string_view name;
  Envelope envelope;
  ErrorTable errors;
};

// The answer to `failure` in `dialect`.
http::Response respond(const Dialect& dialect, const core::AuthFailure& failure);

// An error the adapter or the HTTP layer words itself (a body that does not parse, 413, 415,
// 503 ...): `text` is the message, or the problem's detail under `problem`.
http::Response respond(const Dialect& dialect, unsigned status, std::string_view text,
                       Problem problem);

// The HTTP layer's own errors in `dialect` (for http::Route::errors): the problem type follows
// the status.
http::Response respond(const Dialect& dialect, unsigned status, std::string_view text);

template <const Dialect& D>
http::Response http_errors(unsigned status, std::string_view text) {
  return respond(D, status, text);
}

}  // namespace authd::api
