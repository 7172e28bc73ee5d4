#include "http/request_id.hpp"

#include <cstdint>

#include "crypto/base64url.hpp"
#include "crypto/random.hpp"

namespace authd::http {

std::string next_request_id() {
  constexpr std::size_t kPrefixBytes = 8;
  thread_local std::string prefix;
  thread_local std::uint32_t counter = 0;
  if (prefix.empty() || counter == 0) prefix = crypto::random_bytes(kPrefixBytes);
  ++counter;
  std::string id = prefix;
  for (int shift = 24; shift >= 0; shift -= 8) id += static_cast<char>((counter >> shift) & 0xff);
  return crypto::base64url_encode(id);
}

}  // namespace authd::http
