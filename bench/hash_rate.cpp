// Measures how long one password verification takes in-process with authd's own hasher, so the
// login benchmark can state its hash-bound limit: workers / (time of one verification).
// Usage: authd_hash_rate [argon2id|bcrypt] [bcrypt-cost] [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/password_hasher.hpp"

int main(int argc, char** argv) {
  authd::crypto::PasswordHashConfig config;
  if (argc > 1 && std::string(argv[1]) == "bcrypt") {
    config.algorithm = authd::crypto::PasswordAlgorithm::bcrypt;
  }
  if (argc > 2) config.bcrypt_cost = std::atoi(argv[2]);
  const int iterations = argc > 3 ? std::atoi(argv[3]) : 50;

  const authd::crypto::PasswordHasher hasher(config);
  const std::string hash = hasher.hash("bench-password-1");
  const auto start = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < iterations; ++i) ok += hasher.verify("bench-password-1", hash) ? 1 : 0;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (ok != iterations) return 1;
  std::printf("%.6f\n", elapsed.count() / iterations);  // seconds per verification
  return 0;
}
