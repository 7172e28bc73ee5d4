// Glue for the C crypto libraries the crypto layer wraps (OpenSSL, libsodium). Internal to
// crypto/: nothing outside it calls these libraries.
#pragma once

#include <sodium.h>

#include <stdexcept>
#include <string_view>

namespace authd::crypto::detail {

// The C libraries may treat a null pointer as "no input" differently from an empty buffer, and
// an empty std::string_view can have a null data(): always hand them a valid address.
inline const unsigned char* bytes_of(std::string_view s) {
  static constexpr unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// sodium_init picks the fastest implementations for this CPU; it is idempotent and thread-safe,
// and a function-local static keeps it to one call per process.
inline void ensure_sodium_initialised() {
  static const int result = sodium_init();
  if (result < 0) throw std::runtime_error("sodium_init failed");
}

}  // namespace authd::crypto::detail
