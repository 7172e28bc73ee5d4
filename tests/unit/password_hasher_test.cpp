// PasswordHasher: round trips for argon2id and bcrypt, bcrypt's 72-byte limit, damaged hashes,
// the needs_rehash matrix, and bcrypt hashes produced by an independent implementation.
#include "crypto/password_hasher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace authd::crypto {
namespace {

// Cheap parameters for tests where the cost does not matter.
PasswordHashConfig fast_argon2() {
  return {.algorithm = PasswordAlgorithm::argon2id,
          .argon2_opslimit = 1,
          .argon2_memlimit = 8 * 1024 * 1024};
}

PasswordHashConfig bcrypt(int cost) {
  return {.algorithm = PasswordAlgorithm::bcrypt, .bcrypt_cost = cost};
}

// Produced with bcryptjs 3.0.3 (npm), an independent pure-JavaScript bcrypt:
//   bcrypt.hashSync(password, bcrypt.genSaltSync(cost).replace('$2b$', '$2<minor>$'))
// bcryptjs honours the minor version of the salt it is given, so each prefix is genuine.
struct KnownHash {
  const char* password;
  const char* hash;
};
constexpr KnownHash kBcryptjsHashes[] = {
    {"correct horse battery staple",
     "$2a$04$RYz8gS0ZmGrIMXpgtsiuuuosTSp2A8E9iP6j3ST3zM2P2eR0R/E/q"},
    // "Pa55w0rd!é漢" in UTF-8.
    {"Pa55w0rd!\xC3\xA9\xE6\xBC\xA2",
     "$2b$08$1FATXGVSQpjgwpRuQ89GlOQyvbDdd7U/NzTu5/4L/7gCnlfRckBZS"},
    {"s3cret-for-2y", "$2y$05$7ihzCQbaMSHiuh2Rj2xxgOeJucvv3vnynd6Uft5VhZLmWoyDIrlSm"},
};
// bcryptjs hash of 72 'A's; bcryptjs (like every bcrypt) would give the same for 73 'A's.
constexpr const char* kBcryptjs72As =
    "$2b$04$eLNhzwlPCw7kVnbF0g0elOQoCvg40hWqcMYGGrjzgUT9XFi/XJ9Ee";

TEST(PasswordHasherTest, DefaultsAreOwaspArgon2id) {
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.algorithm(), PasswordAlgorithm::argon2id);
  EXPECT_EQ(hasher.max_password_bytes(), 1024u);
  const std::string hash = hasher.hash("hunter2");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << hash;
  EXPECT_TRUE(hasher.verify("hunter2", hash));
  EXPECT_FALSE(hasher.needs_rehash(hash));
}

TEST(PasswordHasherTest, Argon2idRoundTrip) {
  const PasswordHasher hasher(fast_argon2());
  const std::string hash = hasher.hash("correct horse battery staple");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=8192,t=1,p=1$")) << hash;
  EXPECT_TRUE(hasher.verify("correct horse battery staple", hash));
  EXPECT_FALSE(hasher.verify("correct horse battery stapler", hash));
  EXPECT_FALSE(hasher.verify("", hash));
  EXPECT_NE(hasher.hash("correct horse battery staple"), hash) << "hashes must be salted";
}

TEST(PasswordHasherTest, EmptyPasswordIsHashable) {
  // Password policy belongs to the core; the hasher handles every allowed input.
  for (const auto& config : {fast_argon2(), bcrypt(4)}) {
    const PasswordHasher hasher(config);
    const std::string hash = hasher.hash("");
    EXPECT_TRUE(hasher.verify("", hash));
    EXPECT_FALSE(hasher.verify("x", hash));
  }
}

TEST(PasswordHasherTest, BcryptRoundTrip) {
  for (const int cost : {4, 8}) {
    const PasswordHasher hasher(bcrypt(cost));
    EXPECT_EQ(hasher.algorithm(), PasswordAlgorithm::bcrypt);
    const std::string hash = hasher.hash("Tr0ub4dor&3");
    EXPECT_EQ(hash.size(), 60u);
    EXPECT_TRUE(hash.starts_with(cost == 4 ? "$2b$04$" : "$2b$08$")) << hash;
    EXPECT_TRUE(hasher.verify("Tr0ub4dor&3", hash));
    EXPECT_FALSE(hasher.verify("Tr0ub4dor&4", hash));
    EXPECT_FALSE(hasher.verify("tr0ub4dor&3", hash));
    EXPECT_NE(hasher.hash("Tr0ub4dor&3"), hash) << "hashes must be salted";
  }
}

TEST(PasswordHasherTest, BcryptHashesNeverTakeOver72BytesButVerifyAsBcryptDoes) {
  const PasswordHasher hasher(bcrypt(4));
  EXPECT_EQ(hasher.max_password_bytes(), 72u);
  const std::string pw72(72, 'a');
  const std::string pw73 = pw72 + "b";
  const std::string hash = hasher.hash(pw72);
  EXPECT_TRUE(hasher.verify(pw72, hash));
  EXPECT_THROW(hasher.hash(pw73), std::invalid_argument) << "a new hash never truncates";

  // A stored hash is verified as every bcrypt does, by its first 72 bytes: a user whose old
  // app took a longer password still logs in with it.
  EXPECT_TRUE(hasher.verify(pw73, hash));
  EXPECT_TRUE(hasher.verify(std::string(72, 'A'), kBcryptjs72As));
  EXPECT_TRUE(hasher.verify(std::string(73, 'A'), kBcryptjs72As));
  EXPECT_TRUE(hasher.verify(std::string(100, 'A'), kBcryptjs72As));
  EXPECT_FALSE(hasher.verify(std::string(71, 'A'), kBcryptjs72As));
  EXPECT_FALSE(hasher.verify(std::string(71, 'A') + "B", kBcryptjs72As));
}

TEST(PasswordHasherTest, Argon2idPasswordLimit) {
  const PasswordHasher hasher(fast_argon2());
  const std::string pw1024(1024, 'x');
  const std::string hash = hasher.hash(pw1024);
  EXPECT_TRUE(hasher.verify(pw1024, hash));
  EXPECT_THROW(hasher.hash(pw1024 + "x"), std::invalid_argument);
  EXPECT_FALSE(hasher.verify(pw1024 + "x", hash));
}

TEST(PasswordHasherTest, NulBytesAreRejected) {
  for (const auto& config : {fast_argon2(), bcrypt(4)}) {
    const PasswordHasher hasher(config);
    const std::string with_nul("abc\0def", 7);
    EXPECT_THROW(hasher.hash(with_nul), std::invalid_argument);
    // A C API would see only "abc": make sure that does not match.
    const std::string hash = hasher.hash("abc");
    EXPECT_FALSE(hasher.verify(with_nul, hash));
    EXPECT_FALSE(hasher.verify("abc", hash + std::string("\0", 1)));
  }
}

TEST(PasswordHasherTest, VerifiesEveryFormatWhateverIsConfigured) {
  const PasswordHasher argon2(fast_argon2());
  const PasswordHasher bcrypt4(bcrypt(4));
  const std::string argon2_hash = argon2.hash("pw");
  const std::string bcrypt_hash = bcrypt4.hash("pw");
  EXPECT_TRUE(argon2.verify("pw", bcrypt_hash));
  EXPECT_TRUE(bcrypt4.verify("pw", argon2_hash));
  EXPECT_FALSE(argon2.verify("pW", bcrypt_hash));
  EXPECT_FALSE(bcrypt4.verify("pW", argon2_hash));
  // bcrypt's 72-byte rule applies to bcrypt hashes even when argon2id is configured.
  EXPECT_TRUE(argon2.verify(std::string(73, 'A'), kBcryptjs72As));
}

TEST(PasswordHasherTest, VerifiesHashesFromBcryptjs) {
  for (const auto& config : {fast_argon2(), bcrypt(4), bcrypt(10)}) {
    const PasswordHasher hasher(config);
    for (const auto& known : kBcryptjsHashes) {
      EXPECT_TRUE(hasher.verify(known.password, known.hash)) << known.hash;
      EXPECT_FALSE(hasher.verify(std::string(known.password) + "!", known.hash)) << known.hash;
      EXPECT_FALSE(hasher.verify("", known.hash)) << known.hash;
    }
  }
}

TEST(PasswordHasherTest, LibxcryptTreats2yAnd2aLike2b) {
  // $2y$ (PHP) and $2b$ name the same algorithm; $2a$ only differs for the historical 8-bit bug,
  // which does not affect ASCII passwords. Changing just the prefix must keep the hash valid.
  const PasswordHasher hasher(bcrypt(4));
  const std::string hash = hasher.hash("same-algorithm");
  for (const char* prefix : {"$2y$", "$2a$"}) {
    const std::string renamed = prefix + hash.substr(4);
    EXPECT_TRUE(hasher.verify("same-algorithm", renamed)) << renamed;
    EXPECT_FALSE(hasher.verify("other", renamed)) << renamed;
  }
}

TEST(PasswordHasherTest, GarbageHashesNeverVerifyOrCrash) {
  const PasswordHasher argon2(fast_argon2());
  const PasswordHasher bcrypt4(bcrypt(4));
  const std::string real_bcrypt = bcrypt4.hash("pw");
  const std::string real_argon2 = argon2.hash("pw");

  std::vector<std::string> garbage = {
      "",
      "$",
      "$2b$",
      "$2a$",
      "$2y$",
      "$2x$04$RYz8gS0ZmGrIMXpgtsiuuuosTSp2A8E9iP6j3ST3zM2P2eR0R/E/q",
      "$2b$08$short",
      "$2b$99$RYz8gS0ZmGrIMXpgtsiuuuosTSp2A8E9iP6j3ST3zM2P2eR0R/E/q",
      "$2b$04$" + std::string(53, '!'),
      "$argon2id$",
      "$argon2id$v=19$m=8192,t=1,p=1$",
      "$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$aGFzaA",
      "$argon2i$v=19$m=8192,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
      "$1$abcdefgh$0123456789012345678901",
      "pw",
      "random text that is not a hash at all",
      std::string(600, '$'),
      "$argon2id$" + std::string(1000, 'A'),
      real_bcrypt.substr(0, 59) + "\xFF",
  };
  // Every truncation of a genuine hash.
  for (std::size_t n = 0; n < real_bcrypt.size(); ++n) garbage.push_back(real_bcrypt.substr(0, n));
  for (std::size_t n = 0; n < real_argon2.size(); ++n) garbage.push_back(real_argon2.substr(0, n));

  for (const PasswordHasher* hasher : {&argon2, &bcrypt4}) {
    for (const std::string& g : garbage) {
      EXPECT_FALSE(hasher->verify("pw", g)) << g;
      EXPECT_FALSE(hasher->verify("", g)) << g;
      EXPECT_TRUE(hasher->needs_rehash(g)) << g;
    }
  }
}

TEST(PasswordHasherTest, NeedsRehashWithArgon2idConfigured) {
  const PasswordHasher hasher(fast_argon2());
  EXPECT_FALSE(hasher.needs_rehash(hasher.hash("pw")));
  EXPECT_TRUE(hasher.needs_rehash(PasswordHasher(bcrypt(4)).hash("pw")));
  EXPECT_TRUE(hasher.needs_rehash(kBcryptjsHashes[0].hash));

  PasswordHashConfig more_ops = fast_argon2();
  more_ops.argon2_opslimit = 2;
  EXPECT_TRUE(hasher.needs_rehash(PasswordHasher(more_ops).hash("pw")));
  PasswordHashConfig more_memory = fast_argon2();
  more_memory.argon2_memlimit = 9 * 1024 * 1024;
  EXPECT_TRUE(hasher.needs_rehash(PasswordHasher(more_memory).hash("pw")));
  EXPECT_TRUE(PasswordHasher(more_memory).needs_rehash(hasher.hash("pw")));

  // Parameters libsodium does not compare: lanes and version.
  std::string four_lanes = hasher.hash("pw");
  four_lanes.replace(four_lanes.find(",p=1$"), 5, ",p=4$");
  EXPECT_TRUE(hasher.needs_rehash(four_lanes));
  std::string old_version = hasher.hash("pw");
  old_version.replace(old_version.find("v=19"), 4, "v=16");
  EXPECT_TRUE(hasher.needs_rehash(old_version));
}

TEST(PasswordHasherTest, NeedsRehashWithBcryptConfigured) {
  const PasswordHasher hasher(bcrypt(8));
  const std::string cost8 = hasher.hash("pw");
  EXPECT_FALSE(hasher.needs_rehash(cost8));
  EXPECT_TRUE(hasher.needs_rehash(PasswordHasher(bcrypt(10)).hash("pw")));
  EXPECT_TRUE(hasher.needs_rehash(PasswordHasher(bcrypt(4)).hash("pw")));
  EXPECT_TRUE(hasher.needs_rehash(PasswordHasher(fast_argon2()).hash("pw")));
  EXPECT_TRUE(hasher.needs_rehash("$2a$" + cost8.substr(4)));
  EXPECT_TRUE(hasher.needs_rehash("$2y$" + cost8.substr(4)));
  EXPECT_FALSE(hasher.needs_rehash(kBcryptjsHashes[1].hash));  // bcryptjs $2b$08$
}

// Imported schemes, with strings made by independent implementations: the argon2 reference
// implementation's own test vectors (phc-winner-argon2 src/test.c, password "password") and
// Python's hashlib (scrypt and pbkdf2_hmac, password "correct horse battery staple", salt
// "NaCl-salt-16byte"), written as the PHC spec (standard base64) and passlib ("." for "+")
// print them.
struct ImportedVector {
  const char* password;
  const char* hash;
};
constexpr ImportedVector kImportedVectors[] = {
    {"password",
     "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8"},
    {"password",
     "$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E"},
    {"correct horse battery staple",
     "$scrypt$ln=10,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U"},
    {"correct horse battery staple",
     "$scrypt$ln=12,r=8,p=2$TmFDbC1zYWx0LTE2Ynl0ZQ$alXxbLWGpGMRRBIB0tplkLbIM1YkUhvu89u6vxojdyUxaag"
     "J/3BCf5Z4LWluNZm5rxsVA2tml9NFSugp7Te.hw"},
    {"correct horse battery staple",
     "$pbkdf2-sha256$i=1000,l=32$TmFDbC1zYWx0LTE2Ynl0ZQ$"
     "Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4"},
    {"correct horse battery staple",
     "$pbkdf2-sha256$29000$TmFDbC1zYWx0LTE2Ynl0ZQ$G9MLT70wenvryQSQRept1pm5yfP2U.UEBKQTdEmWXsM"},
};

TEST(PasswordHasherTest, VerifiesImportedArgon2iScryptAndPbkdf2AndReplacesThem) {
  const PasswordHasher hasher(fast_argon2());
  for (const auto& vector : kImportedVectors) {
    EXPECT_TRUE(is_verifiable_hash(vector.hash)) << vector.hash;
    EXPECT_TRUE(hasher.verify(vector.password, vector.hash)) << vector.hash;
    EXPECT_FALSE(hasher.verify(std::string(vector.password) + "!", vector.hash)) << vector.hash;
    EXPECT_FALSE(hasher.verify("", vector.hash)) << vector.hash;
    EXPECT_TRUE(hasher.needs_rehash(vector.hash)) << vector.hash;
    EXPECT_TRUE(PasswordHasher(bcrypt(4)).needs_rehash(vector.hash)) << vector.hash;
  }
}

TEST(PasswordHasherTest, ImportedHashesBeyondBoundedCostsAreRefusedNotComputed) {
  const PasswordHasher hasher(fast_argon2());
  // What would cost too much to verify (1 GiB of scrypt, 20 million PBKDF2 rounds, 2 GiB of
  // argon2, bcrypt at cost 17), and damaged strings: unverifiable, so an import refuses the row.
  EXPECT_TRUE(is_verifiable_hash("$2b$16$Ruu4INoL89nf5ZQUaqXzX.sQEPNvthQSSnnc1MMTtFNa1spEkLyla"));
  for (const char* hash : {
           "$2b$17$Ruu4INoL89nf5ZQUaqXzX.sQEPNvthQSSnnc1MMTtFNa1spEkLyla",
           "$argon2i$v=19$m=262144,t=5,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
           "$scrypt$ln=15,r=8,p=64$TmFDbC1zYWx0LTE2Ynl0ZQ$"
           "by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U",
           "$scrypt$ln=20,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$"
           "by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U",
           "$pbkdf2-sha256$i=20000000,l=32$TmFDbC1zYWx0LTE2Ynl0ZQ$"
           "Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4",
           "$argon2i$v=19$m=2097152,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+"
           "sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
           "$argon2id$v=19$m=2097152,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+"
           "sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
           "$pbkdf2-sha256$i=1000,l=16$TmFDbC1zYWx0LTE2Ynl0ZQ$"
           "Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4",
           "$scrypt$ln=10,r=8$TmFDbC1zYWx0LTE2Ynl0ZQ$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U",
           "$scrypt$ln=10,r=8,p=1$$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U",
           "$pbkdf2-sha256$i=1000$TmFDbC1zYWx0LTE2Ynl0ZQ$not*base64",
           "$pbkdf2-sha512$i=1000$TmFDbC1zYWx0LTE2Ynl0ZQ$"
           "Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4",
           "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
       }) {
    EXPECT_FALSE(is_verifiable_hash(hash)) << hash;
    EXPECT_FALSE(hasher.verify("correct horse battery staple", hash)) << hash;
  }
}

TEST(PasswordHasherTest, RejectsInvalidConfiguration) {
  EXPECT_THROW(PasswordHasher(bcrypt(3)), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(bcrypt(32)), std::invalid_argument);
  PasswordHashConfig no_ops = fast_argon2();
  no_ops.argon2_opslimit = 0;
  EXPECT_THROW((PasswordHasher(no_ops)), std::invalid_argument);
  PasswordHashConfig tiny_memory = fast_argon2();
  tiny_memory.argon2_memlimit = 1024;
  EXPECT_THROW((PasswordHasher(tiny_memory)), std::invalid_argument);
}

TEST(PasswordHasherTest, IsSafeToShareBetweenThreads) {
  const PasswordHasher argon2(fast_argon2());
  const PasswordHasher bcrypt4(bcrypt(4));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string pw = "thread-" + std::to_string(t) + "-" + std::to_string(i);
        const PasswordHasher& hasher = (i % 2 == 0) ? argon2 : bcrypt4;
        const std::string hash = hasher.hash(pw);
        if (!hasher.verify(pw, hash) || hasher.verify(pw + "x", hash) ||
            !argon2.verify(kBcryptjsHashes[0].password, kBcryptjsHashes[0].hash)) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(PasswordHasherTest, IsCopyable) {
  const PasswordHasher original(bcrypt(4));
  const PasswordHasher copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.algorithm(), PasswordAlgorithm::bcrypt);
  EXPECT_TRUE(copy.verify("pw", original.hash("pw")));
}

}  // namespace
}  // namespace authd::crypto
