// New-password rules: length in characters (not bytes), exact bytes, and zxcvbn's estimate:
// the 3,000 most common passwords, the examples an outside review found accepted, and
// passwords built from the account's own email, names or the service name are refused.
#include "core/password_policy.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace authd::core {
namespace {

const PasswordPolicy kDefault{};
const PasswordPolicy kLengthOnly{.forbid_guessable = false};

TEST(PasswordPolicy, MinimumLengthCountsCharactersNotBytes) {
  EXPECT_EQ(check_new_password("plover4", kLengthOnly, 72), AuthError::password_too_short);
  EXPECT_EQ(check_new_password("plover42", kLengthOnly, 72), std::nullopt);
  // Seven characters, fourteen bytes in UTF-8: still too short.
  EXPECT_EQ(check_new_password("\u00e9\u00e8\u00ea\u00eb\u00e0\u00e2\u00e4", kLengthOnly, 72),
            AuthError::password_too_short);
  EXPECT_EQ(check_new_password("\u00e9\u00e8\u00ea\u00eb\u00e0\u00e2\u00e4\u00e7", kLengthOnly, 72),
            std::nullopt);
  EXPECT_EQ(check_new_password("abc", {.min_characters = 3, .forbid_guessable = false}, 72),
            std::nullopt);
}

TEST(PasswordPolicy, BytesAreTakenExactly) {
  EXPECT_EQ(check_new_password("", kDefault, 72), AuthError::invalid_password);
  EXPECT_EQ(check_new_password(std::string("abcd\0efgh", 9), kDefault, 72),
            AuthError::invalid_password);
  EXPECT_EQ(check_new_password(std::string(73, 'x'), kDefault, 72), AuthError::invalid_password)
      << "over the hasher's limit: refused, never truncated";
  EXPECT_EQ(check_new_password(std::string(72, 'x'), kLengthOnly, 72), std::nullopt);
  EXPECT_EQ(check_new_password("  quiet lantern orbit  ", kDefault, 72), std::nullopt)
      << "spaces are part of the password";
}

std::vector<std::string> top_passwords() {
  std::ifstream in(AUTHD_TEST_DATA_DIR "/top-3000-passwords.txt");
  std::vector<std::string> passwords;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') passwords.push_back(line);
  }
  return passwords;
}

TEST(PasswordPolicy, TheThreeThousandMostCommonAreRefused) {
  // ASVS 5.0 6.2.4: at least the top 3,000 that meet the length policy.
  const auto passwords = top_passwords();
  ASSERT_GE(passwords.size(), 450u) << "the fixture is missing";
  for (const std::string& password : passwords) {
    EXPECT_EQ(check_new_password(password, kDefault, 72), AuthError::password_too_common)
        << password << " (" << guess_bits(password) << " bits)";
  }
}

TEST(PasswordPolicy, GuessableVariationsAreRefusedInAnyLetterCase) {
  // What the review found accepted by the old hand-kept list, and the usual variations.
  for (const char* weak : {"password1234567", "corvette", "password2", "Password1", "QWERTY123",
                           "iloveyou", "12345678", "P@ssw0rd!", "Summer2024!", "securePassword123",
                           "aaaaaaaaaaaa", "abcdefghijk", "1q2w3e4r5t"}) {
    EXPECT_EQ(check_new_password(weak, kDefault, 72), AuthError::password_too_common) << weak;
  }
  for (const char* strong :
       {"correct horse battery staple", "S3cr3t-Pa55-xyzzy", "zebra-lamp-orbit", "Tr0ub4dor&3"}) {
    EXPECT_EQ(check_new_password(strong, kDefault, 72), std::nullopt) << strong;
  }
  EXPECT_EQ(check_new_password("password", kLengthOnly, 72), std::nullopt)
      << "--allow-common-passwords keeps only the length rules";
}

TEST(PasswordPolicy, TheAccountsOwnContextIsRefused) {
  const std::vector<std::string> context = {"grace.hopper@navy.example",
                                            "grace.hopper",
                                            "navy.example",
                                            "authd",
                                            "navy",
                                            "Grace",
                                            "Hopper"};
  for (const char* own : {"grace.hopper@navy.example", "GRACE.HOPPER@NAVY.EXAMPLE", "grace.hopper",
                          "grace.hopper1", "authd-password", "authd2024", "GraceHopper",
                          "hoppergrace", "navy.example", "navy2024!", "NavyNavyNavy"}) {
    EXPECT_EQ(check_new_password(own, kDefault, 72, context), AuthError::password_too_common)
        << own;
  }
  EXPECT_EQ(check_new_password("zebra-lamp-orbit", kDefault, 72, context), std::nullopt);
}

TEST(PasswordPolicy, UnicodeDisguisesOfGuessablePasswordsAreSeenThrough) {
  for (const char* disguised : {
           "\xEF\xBC\xB0\xEF\xBC\xA1\xEF\xBC\xB3\xEF\xBC\xB3\xEF\xBC\xB7\xEF\xBC\xAF"
           "\xEF\xBC\xB2\xEF\xBC\xA4\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93",  // full-width
           "p\xD0\xB0ssword1234",                                           // Cyrillic a
           "Password1234\xE2\x80\x8D",                                      // + ZWJ
           "password\xE2\x80\x8B"
           "123",  // ZWSP inside
           "\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80"
           "\xE3\x80\x80\xE3\x80\x80",  // eight ideographic spaces
           "\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5"
           "\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5",  // eight of one emoji
       }) {
    EXPECT_EQ(check_new_password(disguised, kDefault, 72), AuthError::password_too_common)
        << disguised;
  }
  EXPECT_EQ(check_new_password("\xC3\xA9t\xC3\xA9-\xC3\xA0-la-plage-2718", kDefault, 72),
            std::nullopt)
      << "a strong password with accents is still strong";
}

}  // namespace
}  // namespace authd::core
