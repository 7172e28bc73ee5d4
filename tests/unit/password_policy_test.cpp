// New-password rules: length in characters (not bytes), exact bytes, the shipped common list.
#include "core/password_policy.hpp"

#include <gtest/gtest.h>

namespace authd::core {
namespace {

const PasswordPolicy kDefault{};

TEST(PasswordPolicy, MinimumLengthCountsCharactersNotBytes) {
  EXPECT_EQ(check_new_password("plover4", kDefault, 72), AuthError::password_too_short);
  EXPECT_EQ(check_new_password("plover42", kDefault, 72), std::nullopt);
  // Seven characters, fourteen bytes in UTF-8: still too short.
  EXPECT_EQ(check_new_password("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", kDefault, 72),
            AuthError::password_too_short);
  EXPECT_EQ(check_new_password("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", kDefault, 72),
            std::nullopt);
  EXPECT_EQ(check_new_password("abc", {.min_characters = 3}, 72), std::nullopt);
}

TEST(PasswordPolicy, BytesAreTakenExactly) {
  EXPECT_EQ(check_new_password("", kDefault, 72), AuthError::invalid_password);
  EXPECT_EQ(check_new_password(std::string("abcd\0efgh", 9), kDefault, 72),
            AuthError::invalid_password);
  EXPECT_EQ(check_new_password(std::string(73, 'x'), kDefault, 72), AuthError::invalid_password)
      << "over the hasher's limit: refused, never truncated";
  EXPECT_EQ(check_new_password(std::string(72, 'x'), kDefault, 72), std::nullopt);
  EXPECT_EQ(check_new_password("  spaced out  ", kDefault, 72), std::nullopt)
      << "spaces are part of the password";
}

TEST(PasswordPolicy, CommonPasswordsAreRefusedInAnyLetterCase) {
  for (const char* common : {"password", "Password1", "QWERTY123", "iloveyou", "12345678"}) {
    EXPECT_TRUE(is_common_password(common)) << common;
    EXPECT_EQ(check_new_password(common, kDefault, 72), AuthError::password_too_common) << common;
  }
  EXPECT_FALSE(is_common_password("correct horse battery staple"));
  EXPECT_FALSE(is_common_password("# Passwords too common to accept"))
      << "comments are not entries";
  EXPECT_EQ(check_new_password("password", {.forbid_common = false}, 72), std::nullopt);
}

}  // namespace
}  // namespace authd::core
