// Compiled by CTest (tests/CMakeLists.txt), never linked: a dialect's error table must name every
// core::AuthError exactly once, or the build fails. With neither macro defined this table is
// complete and compiles (so a failure below comes from the row, not from this file); with
// AUTHD_DROP_ROW it misses one row, with AUTHD_DUPLICATE_ROW it names one error twice.
#include "api/dialect.hpp"

namespace authd::api {
namespace {

constexpr std::pair<core::AuthError, Wording> kRows[] = {
    {core::AuthError::invalid_email, {400, "Invalid email address"}},
    {core::AuthError::invalid_name, {400, "Invalid name"}},
    {core::AuthError::email_taken, {409, "User already exists"}},
    {core::AuthError::user_not_found, {404, "User not found"}},
    {core::AuthError::wrong_password, {401, "Invalid email or password"}},
#ifndef AUTHD_DROP_ROW
    {core::AuthError::account_disabled, {403, "Account is disabled"}},
#endif
#ifdef AUTHD_DUPLICATE_ROW
    {core::AuthError::email_taken, {400, "Registration failed"}},
#endif
};

[[maybe_unused]] constexpr Dialect kProbe{"probe", Envelope::message,
                                          error_table(kSeedCommonRows, kRows)};

}  // namespace
}  // namespace authd::api
